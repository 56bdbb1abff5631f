"""Ticket routes: list, detail, acknowledge, close, hand over, add to the knowledge base."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field

from liveagent import conversations, knowledge, ticket_actions, tickets
from liveagent.api import current_caller, parse_body
from liveagent.detection.service import forget_index
from liveagent.errors import DomainError

router = Router()
STATUSES = {"requested", "answered", "closed"}


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_id: str = Field(min_length=1)


class KnowledgeFromTicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str | None = Field(None, min_length=1, max_length=1000)
    answer: str | None = Field(None, min_length=1, max_length=4000)


@router.get("/api/tickets")
def list_tickets() -> dict:
    """Newest first; filters status, assignee (an id or "me"), department, reason, channel, q (customer
    name/id search); `limit` 1-200 (default 50); `cursor` from the previous page's `next`."""
    caller = current_caller(router)
    query = router.current_event.get_query_string_value
    status, assignee = query("status") or None, query("assignee") or None
    if status and status not in STATUSES:
        raise DomainError(f"status must be one of {sorted(STATUSES)}", code="validation_error")
    reason = query("reason") or None
    if reason and reason not in tickets.REASON_ORDER:
        raise DomainError(f"reason must be one of {list(tickets.REASON_ORDER)}", code="validation_error")
    raw_limit = query("limit") or "50"
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 200:
        raise DomainError("limit must be an integer from 1 to 200", code="validation_error")
    cursor = query("cursor") or None
    if cursor and not tickets.is_ticket_id(cursor):
        raise DomainError("cursor is not one this API returned", code="validation_error")
    where = tickets.TicketFilter(
        status=status,
        assignee=caller.id if assignee == "me" else assignee,
        department=query("department") or None,
        reason=reason,
        channel=query("channel") or None,
        customer=query("q") or None,
    )
    page, next_cursor = tickets.page_tickets(caller.tenant_id, where, int(raw_limit), cursor)
    return {"items": [t.to_api() for t in page], "next": next_cursor}


@router.get("/api/tickets/<ticket_id>")
def get_ticket(ticket_id: str) -> dict:
    caller = current_caller(router)
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    body = ticket.to_api()
    body["messages"] = [m.to_api() for m in conversations.history(ticket.conversation_id)]
    return body


@router.post("/api/tickets/<ticket_id>/ack")
def acknowledge(ticket_id: str) -> dict:
    return ticket_actions.acknowledge(current_caller(router), ticket_id).to_api()


@router.post("/api/tickets/<ticket_id>/close")
def close(ticket_id: str) -> dict:
    return ticket_actions.close(current_caller(router), ticket_id).to_api()


@router.post("/api/tickets/<ticket_id>/assign")
def assign(ticket_id: str) -> dict:
    caller = current_caller(router)
    body = parse_body(router, AssignIn)
    return ticket_actions.reassign(caller, ticket_id, body.agent_id).to_api()


@router.post("/api/tickets/<ticket_id>/knowledge")
def add_to_knowledge(ticket_id: str) -> tuple[dict, int]:
    caller = current_caller(router)
    body = parse_body(router, KnowledgeFromTicketIn)
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    messages = conversations.history(ticket.conversation_id)
    last_reply = next(
        (m.text for m in reversed(messages) if m.sender == "agent" and m.ticket_id == ticket_id), None
    )
    answer = body.answer or last_reply
    if not answer:
        raise DomainError("no agent reply on this ticket yet: give an 'answer'", code="validation_error")
    entry = knowledge.put_entry(
        caller.tenant_id,
        knowledge.KnowledgeEntryIn(question=body.question or ticket.question, answer=answer),
        source_ticket_id=ticket_id,
    )
    forget_index(caller.tenant_id)
    return entry.to_api(), 201
