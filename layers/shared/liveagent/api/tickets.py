"""Ticket routes: list, detail, acknowledge, close, hand over, add to the knowledge base."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Query
from pydantic import BaseModel, ConfigDict, Field

from liveagent import (
    audit,
    conversations,
    escalation,
    knowledge,
    lifecycle,
    tenants,
    ticket_actions,
    ticket_notes,
    tickets,
)
from liveagent.api import current_caller
from liveagent.api.schemas import (
    KnowledgeEntryOut,
    NoteList,
    NoteOut,
    SuggestionList,
    TicketCountsOut,
    TicketDetail,
    TicketOut,
    TicketPage,
)
from liveagent.detection.service import forget_index, suggested_entries
from liveagent.errors import DomainError
from liveagent.settings import EscalationPolicy

router = Router()
# An empty value ("?status=") is no filter.
StatusFilter = Literal["requested", "answered", "closed", ""]
ReasonFilter = Literal[(*tickets.REASON_ORDER, "")]
CURSOR = r"^([0-9A-HJKMNP-TV-Z]{26})?$"  # a ticket id (ULID), or empty


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_id: str = Field(min_length=1)
    note: str | None = Field(None, max_length=4000, description="for the new owner (an internal note)")


class KnowledgeFromTicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str | None = Field(None, min_length=1, max_length=1000)
    answer: str | None = Field(None, min_length=1, max_length=4000)


AssigneeQuery = Annotated[str | None, Query(description='an agent id, or "me"', max_length=128)]
DepartmentQuery = Annotated[str | None, Query(max_length=64)]
ReasonQuery = Annotated[ReasonFilter | None, Query()]
ChannelQuery = Annotated[Literal["whatsapp", "instagram", ""] | None, Query()]
SearchQuery = Annotated[
    str | None, Query(description="search in the customer's name or id and what they wrote", max_length=200)
]


def _filter(caller_id: str, **given: str | None) -> tickets.TicketFilter:
    """The list's filters as the API takes them: an empty value is no filter, `assignee=me` the caller."""
    assignee = given.pop("assignee")
    return tickets.TicketFilter(
        assignee=caller_id if assignee == "me" else assignee or None,
        **{name: value or None for name, value in given.items()},
    )


@router.get("/api/tickets")
def list_tickets(
    status: Annotated[StatusFilter | None, Query()] = None,
    assignee: AssigneeQuery = None,
    department: DepartmentQuery = None,
    reason: ReasonQuery = None,
    channel: ChannelQuery = None,
    q: SearchQuery = None,
    include_closed: Annotated[bool, Query(description="closed tickets are archived: out if false")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(description="`next` of the previous page", pattern=CURSOR)] = None,
) -> TicketPage:
    """Newest first. Closed tickets are archived: listed with `status=closed` or `include_closed=true`.
    An empty filter (`?status=&assignee=`) is no filter."""
    caller = current_caller(router)
    where = _filter(
        caller.id, status=status, assignee=assignee, department=department, reason=reason, channel=channel,
        customer=q,
    )  # fmt: skip
    where = replace(where, include_closed=include_closed or status == "closed")
    page, next_cursor = tickets.page_tickets(caller.tenant_id, where, limit, cursor or None)
    policy = tenants.load_settings(caller.tenant_id).escalation_policy
    return TicketPage.model_validate({"items": [_out(t, policy) for t in page], "next": next_cursor})


def _out(ticket: tickets.TicketModel, policy: EscalationPolicy) -> dict:
    """The ticket as the API gives it, with when its ladder moves on (the agents' countdown)."""
    body = ticket.to_api()
    body["escalation"]["next_at"] = escalation.next_escalation_at(ticket, policy)
    return body


@router.get("/api/tickets/counts")
def count_tickets(
    assignee: AssigneeQuery = None,
    department: DepartmentQuery = None,
    reason: ReasonQuery = None,
    channel: ChannelQuery = None,
    q: SearchQuery = None,
) -> TicketCountsOut:
    """How many tickets each status holds under the same filters as the list, and how many open ones
    need a reply (the customer wrote last): one call for the tabs and the browser tab's title."""
    caller = current_caller(router)
    where = _filter(
        caller.id, assignee=assignee, department=department, reason=reason, channel=channel, customer=q
    )
    counted = tickets.count_tickets(caller.tenant_id, where, caller.id)
    return TicketCountsOut(
        counts=counted.by_status, more=counted.more, needs_reply=counted.needs_reply,
        mine_needs_reply=counted.mine_needs_reply,
    )  # fmt: skip


@router.get("/api/tickets/<ticket_id>")
def get_ticket(ticket_id: str) -> TicketDetail:
    """The ticket with its whole conversation in order, delivery status per outbound message, triggers,
    escalation history and assignment audit."""
    caller = current_caller(router)
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    body = _out(ticket, tenants.load_settings(caller.tenant_id).escalation_policy)
    conversation = conversations.get_conversation(ticket.conversation_id)
    body["customer_profile"] = {
        "channel": ticket.channel,
        "language": ticket.language,
        "last_message_at": conversation.last_customer_at,
        "past_tickets": [
            {"id": t.ticket_id, "status": t.status, "reason": t.reason, "question": t.question,
             "created_at": t.created_at, "closed_at": t.closed_at, "satisfaction": t.satisfaction}
            for t in tickets.customer_tickets(ticket.conversation_id, limit=11)
            if t.ticket_id != ticket.ticket_id
        ][:10],
    }  # fmt: skip
    body["messages"] = [m.to_api() for m in conversations.history(ticket.conversation_id)]
    body["replying"] = tickets.replying_other_than(ticket, caller.id)
    return TicketDetail.model_validate(body)


@router.post("/api/tickets/<ticket_id>/ack")
def acknowledge(ticket_id: str) -> TicketOut:
    return TicketOut.model_validate(ticket_actions.acknowledge(current_caller(router), ticket_id).to_api())


@router.post("/api/tickets/<ticket_id>/close")
def close(ticket_id: str) -> TicketOut:
    return TicketOut.model_validate(ticket_actions.close(current_caller(router), ticket_id).to_api())


@router.post("/api/tickets/<ticket_id>/assign")
def assign(ticket_id: str, body: Annotated[AssignIn, Body()]) -> TicketOut:
    caller = current_caller(router)
    ticket = ticket_actions.reassign(caller, ticket_id, body.agent_id)
    if body.note and body.note.strip():  # after the move: a refused hand-over leaves no note behind
        # One note per hand-over to that agent: a retried request counts the same hand-overs.
        handovers = sum(
            h.get("event") == "handed_over" and h.get("to") == body.agent_id for h in ticket.history
        )
        cause = f"handover:{body.agent_id}:{handovers}"
        ticket_notes.add_note(ticket, caller.id, body.note.strip(), cause=cause, kind="handover")
    return TicketOut.model_validate(ticket.to_api())


class ReplyingOut(BaseModel):
    until: str = Field(description="others see the caller as replying until then")


@router.post("/api/tickets/<ticket_id>/replying")
def replying(ticket_id: str) -> ReplyingOut:
    """The caller is writing a reply (the dashboard says so every few seconds while they type): others
    opening the ticket see `replying` on it for the next 20 s."""
    caller = current_caller(router)
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    lifecycle.require_open(ticket)
    tickets.mark_replying(ticket, caller.id)
    return ReplyingOut(until=ticket.replying_until)


@router.post("/api/tickets/<ticket_id>/take")
def take(ticket_id: str) -> TicketOut:
    """The caller takes a queued ticket (online and below their capacity)."""
    return TicketOut.model_validate(ticket_actions.take(current_caller(router), ticket_id).to_api())


@router.get("/api/tickets/<ticket_id>/notes")
def list_notes(ticket_id: str) -> NoteList:
    """Internal notes on the ticket, oldest first (never sent to the customer)."""
    caller = current_caller(router)
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    return NoteList.model_validate({"items": [n.to_api() for n in ticket_notes.notes_for(ticket)]})


@router.post("/api/tickets/<ticket_id>/notes", status_code=201)
def add_note(
    ticket_id: str,
    body: Annotated[ticket_notes.NoteIn, Body()],
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    ] = None,
) -> NoteOut:
    """An internal note for the team: stored on the ticket, never sent to the customer."""
    caller = current_caller(router)
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    return NoteOut.model_validate(
        ticket_notes.add_note(ticket, caller.id, body.text, cause=idempotency_key).to_api()
    )


@router.get("/api/tickets/<ticket_id>/suggestions")
def suggestions(ticket_id: str) -> SuggestionList:
    """Replies an agent may send or edit: the KB entries closest to what the customer asked."""
    caller = current_caller(router)
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    found = suggested_entries(caller.tenant_id, ticket.question or "")
    return SuggestionList.model_validate(
        {"items": [{"kb_id": e.entry_id, "question": e.question, "answer": e.answer} for e in found]}
    )


class KnowledgeDraftOut(BaseModel):
    question: str | None
    answer: str | None


def _draft(tenant_id: str, ticket_id: str) -> tuple[tickets.TicketModel, str | None]:
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    messages = conversations.history(ticket.conversation_id)
    last_reply = next(
        (m.text for m in reversed(messages) if m.sender == "agent" and m.ticket_id == ticket_id), None
    )
    return ticket, knowledge.draft_answer(last_reply, ticket.customer_name) if last_reply else None


@router.get("/api/tickets/<ticket_id>/knowledge-draft")
def knowledge_draft(ticket_id: str) -> KnowledgeDraftOut:
    """A KB entry drafted from the ticket: the customer's question, and the last agent reply without its
    greeting, sign-off and the customer's name (reviewed before saving)."""
    caller = current_caller(router)
    ticket, answer = _draft(caller.tenant_id, ticket_id)
    return KnowledgeDraftOut(question=ticket.question, answer=answer)


@router.post("/api/tickets/<ticket_id>/knowledge", status_code=201)
def add_to_knowledge(
    ticket_id: str, body: Annotated[KnowledgeFromTicketIn | None, Body()] = None
) -> KnowledgeEntryOut:
    """Defaults: the customer's escalated question and the draft of the last agent reply on the ticket
    (`knowledge-draft`: no greeting, sign-off or customer name)."""
    caller = current_caller(router)
    body = body or KnowledgeFromTicketIn()
    ticket, drafted = _draft(caller.tenant_id, ticket_id)
    answer = body.answer or drafted
    if not answer:
        raise DomainError("no agent reply on this ticket yet: give an 'answer'", code="validation_error")
    # An agent proposes (an admin approves before the bot repeats it to everyone); an admin's is live.
    reviewed = {"approved_by": caller.id} if caller.is_admin else {"proposed_by": caller.id}
    entry = knowledge.put_entry(
        caller.tenant_id,
        knowledge.KnowledgeEntryIn(question=body.question or ticket.question, answer=answer),
        source_ticket_id=ticket_id,
        **reviewed,
    )
    forget_index(caller.tenant_id)
    audit.record(caller, "knowledge.propose" if not caller.is_admin else "knowledge.create", entry.entry_id,
                 {"question": entry.question, "ticket_id": ticket_id})  # fmt: skip
    return KnowledgeEntryOut.model_validate(entry.to_api())
