"""POST /api/tickets/{id}/reply: served by the reply function (the one allowed to call the Graph API)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from liveagent import replies
from liveagent.api import current_caller, parse_body

router = Router()


@router.post("/api/tickets/<ticket_id>/reply")
def reply(ticket_id: str) -> tuple[dict, int]:
    caller = current_caller(router)
    body = parse_body(router, replies.ReplyIn)
    return replies.agent_reply(caller.tenant_id, ticket_id, caller.id, body), 201
