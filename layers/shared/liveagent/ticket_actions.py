"""What agents and admins do to a ticket: acknowledge, close, hand over; and the queue that follows."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from liveagent import agents, conversations, escalation, routing, tenants, tickets
from liveagent.auth import Caller
from liveagent.channels.outbound import ask_with_choices
from liveagent.errors import Conflict, Forbidden
from liveagent.ids import now_iso, utc_now
from liveagent.observability import logger
from liveagent.settings import SatisfactionSettings
from liveagent.tickets import TicketModel, history_entry


def acknowledge(caller: Caller, ticket_id: str) -> TicketModel:
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    if not ticket.is_open:
        raise Conflict("ticket is closed", code="ticket_closed")
    if not ticket.acknowledged_at:
        entry = history_entry(int(ticket.escalation_level), "acknowledged", caller.id)
        try:
            ticket.update(
                actions=[
                    TicketModel.acknowledged_at.set(now_iso()),
                    tickets.history_action(entry),
                ],
                condition=TicketModel.acknowledged_at.does_not_exist(),
            )
        except UpdateError:
            ticket.refresh()  # acknowledged a moment ago by someone else: once is enough
    escalation.signal(ticket, "ack")
    return ticket


def close(caller: Caller, ticket_id: str) -> TicketModel:
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    if not ticket.is_open:
        raise Conflict("ticket is already closed", code="ticket_closed")
    settings = tenants.load_settings(caller.tenant_id)
    tickets.mark_closed(ticket, settings.tickets.retention_days)
    tickets.append_history(ticket, history_entry(int(ticket.escalation_level), "closed", caller.id))
    routing.free_capacity(ticket)
    conversations.release_ticket(ticket.conversation_id, ticket.ticket_id, ticket.assignee)
    escalation.signal(ticket, "closed")
    if ticket.assignee:
        drain_queue(caller.tenant_id, ticket.assignee)
    ask_satisfaction(ticket, settings.satisfaction)
    return ticket


RATINGS = (("good", "👍 Good"), ("bad", "👎 Not good"))


def ask_satisfaction(ticket: TicketModel, settings: SatisfactionSettings) -> None:
    """One rating question after closing, if the tenant wants it and the window is open. Never blocks
    the close: a failed send is stored as failed and logged."""
    if not settings.enabled:
        return
    try:
        conversation = conversations.get_conversation(ticket.conversation_id)
        choices = [(f"csat:{ticket.ticket_id}:{value}", title) for value, title in RATINGS]
        ask_with_choices(
            conversation, settings.question, choices, ticket.ticket_id, cause=f"csat:{ticket.ticket_id}"
        )
    except Exception:
        logger.exception("satisfaction question not sent", extra={"ticket_id": ticket.ticket_id})


def record_satisfaction(conversation_id: str, payload: str) -> str | None:
    """A tapped rating ("csat:<ticket>:<good|bad>") from this conversation's customer: stored on the
    ticket once. Returns the ticket id, or None when the payload is not a rating for this conversation."""
    parts = payload.split(":")
    if len(parts) != 3 or parts[0] != "csat" or parts[2] not in dict(RATINGS):
        return None
    conversation = conversations.get_conversation(conversation_id)
    try:
        ticket = tickets.get_ticket(conversation.tenant_id, parts[1])
    except Exception:
        return None
    if ticket.conversation_id != conversation_id:
        return None
    with contextlib.suppress(UpdateError):  # rated already: the first answer stands
        ticket.update(
            actions=[TicketModel.satisfaction.set(parts[2])],
            condition=TicketModel.satisfaction.does_not_exist(),
        )
    return ticket.ticket_id


def reassign(caller: Caller, ticket_id: str, agent_id: str) -> TicketModel:
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    if not caller.is_admin and ticket.assignee != caller.id:
        raise Forbidden("only an admin or the current assignee can hand a ticket over")
    if not ticket.is_open:
        raise Conflict("ticket is closed", code="ticket_closed")
    target = agents.get_agent(caller.tenant_id, agent_id)
    if ticket.assignee == target.agent_id:
        return ticket
    previous = ticket.assignee
    routing.unassign(ticket)
    if not routing.assign_ticket(ticket, target.agent_id):
        # Give it back rather than leave it ownerless.
        if previous and not routing.assign_ticket(ticket, previous):
            logger.warning(
                "ticket left in the queue after a failed hand-over", extra={"ticket_id": ticket_id}
            )
        raise Conflict(f"{target.email} is not online or has no free capacity", code="agent_unavailable")
    ticket.refresh()
    tickets.append_history(
        ticket, history_entry(0, "handed_over", target.agent_id, by=caller.id, previous=previous)
    )
    escalation.signal(ticket, "reassigned")
    if previous:
        drain_queue(caller.tenant_id, previous)
    return ticket


def drain_queue(tenant_id: str, agent_id: str, look_ahead: int = 25) -> bool:
    """Capacity freed for an agent: wake the oldest waiting ticket of one of their departments.

    Walks the queue oldest first and wakes the first ticket whose workflow is actually waiting: a ticket
    woken a moment ago by another close has already given up its token, so it is skipped, not re-woken.
    """
    agent = agents.find_agent(tenant_id, agent_id)
    if agent is None or agent.status != "online" or int(agent.open_count) >= int(agent.capacity):
        return False
    waiting: list[str] = []
    for department in agent.departments or []:
        waiting += [
            key.ticket_id for key in TicketModel.waiting.query(f"{tenant_id}#{department}", limit=look_ahead)
        ]
    for ticket_id in sorted(set(waiting)):  # ULIDs: oldest first
        if escalation.signal(tickets.get_ticket(tenant_id, ticket_id), "capacity"):
            return True
    return False


def auto_close_quiet_tickets(now: datetime | None = None) -> int:
    """Close answered tickets whose customer has not written for the tenant's `auto_close_hours`
    (hourly schedule). Each is closed like an agent would, recorded as closed by "system:auto-close"."""
    closed = 0
    # The Tenants table also holds per-day counters ("<tenant>#stats#<day>"): tenants have no "#".
    for tenant in tenants.TenantModel.scan(filter_condition=~tenants.TenantModel.tenant_id.contains("#")):
        quiet_hours = tenants.load_settings(tenant.tenant_id).tickets.auto_close_hours
        cutoff = (now or utc_now()) - timedelta(hours=quiet_hours)
        system = Caller(
            id="system:auto-close", tenant_id=tenant.tenant_id, permission="admin", username="auto-close"
        )
        for ticket in TicketModel.by_status.query(f"{tenant.tenant_id}#answered"):
            last = conversations.last_customer_at(conversations.get_conversation(ticket.conversation_id))
            if last is not None and last < cutoff:
                try:
                    close(system, ticket.ticket_id)
                    closed += 1
                except Conflict:
                    continue  # closed by someone a moment ago
    logger.info("auto-close run", extra={"closed": closed})
    return closed
