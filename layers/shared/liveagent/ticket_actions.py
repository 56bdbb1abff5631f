"""What agents and admins do to a ticket: acknowledge, close, hand over; and the queue that follows.

Each action is a lifecycle transition (liveagent.lifecycle) followed by side effects that are themselves
idempotent (waking the workflow, draining the queue, the satisfaction question): an action retried after
it happened (a 502 the user retries, the hourly auto-close meeting a ticket closed a moment ago) changes
nothing and finishes what the first attempt may have left undone.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from liveagent import agents, conversations, escalation, lifecycle, routing, servability, tenants, tickets
from liveagent.auth import Caller
from liveagent.channels.outbound import ask_with_choices
from liveagent.errors import Conflict, NotFound
from liveagent.ids import utc_now
from liveagent.observability import logger
from liveagent.settings import RoutingSettings, SatisfactionSettings
from liveagent.tickets import TicketModel, history_entry


def acknowledge(caller: Caller, ticket_id: str) -> TicketModel:
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    lifecycle.acknowledge(ticket, caller.id)
    ticket.refresh(consistent_read=True)
    escalation.signal(ticket, "ack")
    return ticket


def close(caller: Caller, ticket_id: str) -> TicketModel:
    """Closed (or already closed: the same answer), the waiting workflow told, the owner's queue drained,
    the customer asked for a rating."""
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    close_ticket(caller, ticket)
    return ticket


def close_ticket(caller: Caller, ticket: TicketModel) -> bool:
    """True when this closed it (False: it was closed already, and what follows a close is made sure of)."""
    settings = tenants.load_settings(caller.tenant_id)
    closed = lifecycle.close(ticket, caller.id, settings.tickets.retention_days)
    escalation.signal(ticket, "closed")
    if ticket.assignee:
        drain_queue(caller.tenant_id, ticket.assignee)
    ask_satisfaction(ticket, settings.satisfaction)
    return closed


RATINGS = (("good", "👍 Good"), ("bad", "👎 Not good"))


def ask_satisfaction(ticket: TicketModel, settings: SatisfactionSettings) -> None:
    """One rating question after closing, if the tenant wants it and the window is open (once per ticket)."""
    if not settings.enabled:
        return
    conversation = conversations.get_conversation(ticket.conversation_id)
    choices = [(f"csat:{ticket.ticket_id}:{value}", title) for value, title in RATINGS]
    # Meta refusing it is recorded on the message (listed for a person); anything else (throttling)
    # propagates: the close is retried, which asks once (the question's id comes from the ticket).
    ask_with_choices(
        conversation, settings.question, choices, ticket.ticket_id, cause=f"csat:{ticket.ticket_id}"
    )


def record_satisfaction(conversation_id: str, payload: str) -> str | None:
    """A tapped rating ("csat:<ticket>:<good|bad>") from this conversation's customer: stored on the
    ticket once. Returns the ticket id, or None when the payload is not a rating for this conversation."""
    parts = payload.split(":")
    if len(parts) != 3 or parts[0] != "csat" or parts[2] not in dict(RATINGS):
        return None
    conversation = conversations.get_conversation(conversation_id)
    try:
        ticket = tickets.get_ticket(conversation.tenant_id, parts[1])
    except NotFound:
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
    """Hand-over by an admin or the assignee: the new owner gets the ticket (and its timer anew), the
    previous one's capacity is freed and their queue drained."""
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    lifecycle.require_may_hand_over(caller, ticket)
    lifecycle.require_open(ticket)
    target = agents.get_agent(caller.tenant_id, agent_id)
    previous = ticket.assignee
    entry = history_entry(0, "handed_over", target.agent_id, by=caller.id, previous=previous)
    if not lifecycle.move(ticket, target.agent_id, entry):
        raise Conflict(f"{target.email} is not online or has no free capacity", code="agent_unavailable")
    ticket.refresh(consistent_read=True)
    escalation.signal(ticket, "reassigned")
    if previous and previous != target.agent_id:
        drain_queue(caller.tenant_id, previous)
    return ticket


def take(caller: Caller, ticket_id: str) -> TicketModel:
    """An agent takes a queued ticket themselves (online, with room): it is theirs, its workflow woken to
    start their timer. Taking it again once theirs answers the same."""
    ticket = tickets.get_ticket(caller.tenant_id, ticket_id)
    lifecycle.require_open(ticket)
    if ticket.assignee == caller.id:
        return ticket
    if ticket.assignee:
        raise Conflict("someone has this ticket already: ask them or an admin to hand it over", code="taken")
    record = [tickets.history_action(history_entry(0, "assigned", caller.id, rule="taken"))]
    if not lifecycle.assign(ticket, caller.id, record):
        ticket.refresh(consistent_read=True)
        if ticket.assignee == caller.id:
            return ticket
        raise Conflict(
            "not taken: set yourself online with room below your capacity, or someone took it first",
            code="agent_unavailable",
        )
    ticket.refresh(consistent_read=True)
    escalation.signal(ticket, "assigned")
    return ticket


def drain_queue(tenant_id: str, agent_id: str) -> int:
    """Capacity freed for an agent (a close, a hand-over, coming online): the oldest waiting tickets they
    may serve are assigned to them until they are full, each ticket's workflow woken to notify them.
    Reads the whole queue of their departments, oldest first (ticket ids are time-ordered). Returns how
    many it assigned."""
    agent = agents.find_agent(tenant_id, agent_id)
    if agent is None:
        return 0
    settings = tenants.load_settings(tenant_id)
    waiting = sorted(
        {
            key.ticket_id
            for d in agent.departments or []
            for key in TicketModel.waiting.query(f"{tenant_id}#{d}")
        }
    )
    assigned = 0
    for ticket_id in waiting:
        if agent.status != "online" or int(agent.open_count) >= int(agent.capacity):
            break
        ticket = tickets.get_ticket(tenant_id, ticket_id)
        roles = routing.allowed_roles(ticket.reason, ticket.department, settings.routing)
        if ticket.assignee or not routing.candidates([agent], ticket.department, roles):
            continue
        record = [tickets.history_action(history_entry(0, "assigned", agent_id, rule="queue"))]
        if lifecycle.assign(ticket, agent_id, record):
            assigned += 1
            ticket.refresh(consistent_read=True)
            escalation.signal(ticket, "assigned")
        agent.refresh(consistent_read=True)
    return assigned


def drain_tenant_queue(tenant_id: str) -> int:
    """The rules or the team changed: every online agent with room, least loaded first, takes the waiting
    tickets they may now serve (a queue must not wait minutes for a cause already fixed)."""
    free = [a for a in agents.team(tenant_id) if a.status == "online" and int(a.open_count) < int(a.capacity)]
    free.sort(key=lambda a: (int(a.open_count) / max(int(a.capacity), 1), a.last_assigned_at, a.agent_id))
    return sum(drain_queue(tenant_id, a.agent_id) for a in free)


def reroute_queue(tenant_id: str, departments_before: list[str], rules: RoutingSettings) -> int:
    """Queued tickets of departments the routing no longer has wait in the department they would be routed
    to now (their question and reason read again); then the queue drains. Returns how many moved."""
    gone = set(departments_before) - set(servability.department_names(rules))
    moved = 0
    for department in sorted(gone):
        for key in TicketModel.waiting.query(f"{tenant_id}#{department}"):
            ticket = tickets.get_ticket(tenant_id, key.ticket_id)
            to, keyword = routing.choose_department(ticket.question, ticket.reason, rules)
            entry = history_entry(
                0, "routed", to, previous=department, rule="routing changed", keyword=keyword
            )
            moved += lifecycle.reroute(ticket, to, entry)
    drain_tenant_queue(tenant_id)
    return moved


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
            if (
                last is not None
                and last < cutoff
                and close_ticket(system, tickets.get_ticket(tenant.tenant_id, ticket.ticket_id))
            ):
                closed += 1
    logger.info("auto-close run", extra={"closed": closed})
    return closed
