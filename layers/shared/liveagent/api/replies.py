"""POST /api/tickets/{id}/reply: served by the reply function (the one allowed to call the Graph API)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from liveagent import replies
from liveagent.api import current_caller
from liveagent.api.schemas import ReplyOut

router = Router()


@router.post("/api/tickets/<ticket_id>/reply", status_code=201)
def reply(
    ticket_id: str,
    body: Annotated[replies.ReplyIn, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=64,
            pattern=r"^[A-Za-z0-9_.:-]+$",
            description="one per reply written: a retry with the same key sends nothing twice",
        ),
    ] = None,
) -> ReplyOut:
    """Sent to the customer on the ticket's channel; a text longer than one channel message is split."""
    caller = current_caller(router)
    sent = replies.agent_reply(caller.tenant_id, ticket_id, caller.id, body, idempotency_key)
    return ReplyOut.model_validate(sent)
