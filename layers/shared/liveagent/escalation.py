"""The escalation workflow's steps: open a ticket, assign it, wait for a human, walk the policy's levels.

The Standard state machine (infra/statemachines/escalation.asl.json) calls these through the route
function; the task token of the current wait lives on the ticket, and ack / reply / close / reassign
answer it with SendTaskSuccess.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache

import boto3
from botocore.exceptions import ClientError

from liveagent import agents, business_hours, config, conversations, notifications, routing, tenants, tickets
from liveagent.agents import AgentModel
from liveagent.errors import NotFound
from liveagent.ids import iso, new_ulid, now_iso, parse_iso, utc_now
from liveagent.observability import logger, metrics
from liveagent.settings import EscalationPolicy, PolicyLevel
from liveagent.tickets import TicketModel, history_entry

_GONE_TOKEN_ERRORS = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}
STICKY_HOURS = 24  # a returning customer goes back to the agent who helped them


@cache
def _sfn():
    return boto3.client("stepfunctions", region_name=config.region())


# ------------------------------------------------------------------ pure decisions
def next_position(policy: EscalationPolicy, level: int, round_: int) -> tuple[int, int] | None:
    """The level after `level` (wrapping to level 1 for each repeat); None when the ladder is done."""
    if level + 1 < len(policy.levels):
        return level + 1, round_
    if round_ < policy.repeat and len(policy.levels) > 1:
        return 1, round_ + 1
    return None


def level_targets(level: PolicyLevel, assignee: str | None, team: list[AgentModel]) -> list[str]:
    kind, _, name = level.target.partition(":")
    if kind == "assignee":
        return [assignee] if assignee else []
    if kind == "role":
        return [a.agent_id for a in team if name in (a.roles or [])]
    if kind == "agent":
        return [a.agent_id for a in team if a.agent_id == name]
    return [a.agent_id for a in agents.admins(team)]


def step_state(
    ticket: TicketModel, level: int, round_: int, timeout: int, targets: list[str], event: str
) -> dict:
    return {
        "closed": not ticket.is_open,
        "assigned": bool(ticket.assignee),
        "assignee": ticket.assignee,
        "level": level,
        "round": round_,
        "timeout_seconds": timeout,
        "targets": targets,
        "event": event,
        "exhausted": False,
    }


# ------------------------------------------------------------------ message workflow: open a ticket
def open_ticket(tenant_id: str, conversation_id: str, message_key: str, detection: dict) -> dict:
    """Create the conversation's ticket and start its escalation workflow, unless one is already open
    (a concurrent message won the claim): then this message joins that ticket."""
    ticket_id = new_ulid()
    if not conversations.claim_for_ticket(conversation_id, ticket_id):
        conversation = conversations.get_conversation(conversation_id)
        join_open_ticket(conversation, conversations.get_message(conversation_id, message_key))
        return {"ticket_id": conversation.open_ticket_id, "joined": True}
    conversation = conversations.get_conversation(conversation_id)
    message = conversations.get_message(conversation_id, message_key)
    settings = tenants.load_settings(tenant_id)
    department, matched = routing.choose_department(message.text, detection["reason"], settings.routing)
    ticket = tickets.create_ticket(
        ticket_id=ticket_id,
        conversation=conversation,
        reason=detection["reason"],
        triggers=detection.get("triggers", []),
        question=message.text,
        department=department,
    )
    conversations.mark_message(message, ticket_id=ticket_id)
    # Messages the customer sent while this one was being decided raced the claim: attach them, so the
    # ticket holds everything said since the escalation (the bot may have answered them already).
    for later in conversations.messages_since(conversation_id, message.at):
        if later.sender == "customer" and not later.ticket_id:
            conversations.mark_message(later, ticket_id=ticket_id)
    if matched:
        tickets.append_history(ticket, history_entry(0, "routed", department, keyword=matched))
    _sfn().start_execution(
        stateMachineArn=config.escalation_state_machine_arn(),
        name=ticket_id,
        input=json.dumps({"tenant_id": tenant_id, "ticket_id": ticket_id}),
    )
    metrics.add_metric(name="TicketOpened", unit="Count", value=1)
    logger.info(
        "ticket opened", extra={"ticket_id": ticket_id, "reason": ticket.reason, "department": department}
    )
    return {"ticket_id": ticket_id, "joined": False}


def join_open_ticket(
    conversation: conversations.ConversationModel, message: conversations.MessageModel
) -> str:
    """A customer message while a ticket is open: it joins the ticket, the bot stays silent, and the
    assignee hears about it in-app."""
    ticket_id = conversation.open_ticket_id
    conversations.mark_message(message, ticket_id=ticket_id)
    try:
        ticket = tickets.get_ticket(conversation.tenant_id, ticket_id)
    except NotFound:
        # The message that won the claim is still opening the ticket (seen under load): this one is
        # already part of it, and whoever is assigned will be told about the whole ticket.
        return ticket_id
    assignee = agents.find_agent(ticket.tenant_id, ticket.assignee)
    if assignee and assignee.notify.in_app:
        who = ticket.customer_name or ticket.customer_id
        notifications.store_in_app(
            assignee, "customer_message", f"New message from {who}", message.text, ticket_id
        )
    return ticket_id


# ------------------------------------------------------------------ escalation workflow steps
def opening(tenant_id: str, ticket_id: str, now: datetime | None = None) -> dict:
    """Business hours gate: open now, or queue the ticket until the next opening (alerts wait too)."""
    hours = tenants.load_settings(tenant_id).business_hours
    at = now or utc_now()
    if business_hours.is_open(hours, at):
        return {"open": True, "opens_at": None}
    opens_at = business_hours.next_opening(hours, at)
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    until = iso(opens_at) if opens_at else None
    tickets.append_history(ticket, history_entry(0, "queued_until_open", None, until=until))
    return {"open": False, "opens_at": until}


def assign(tenant_id: str, ticket_id: str) -> dict:
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    settings = tenants.load_settings(tenant_id)
    level0 = settings.escalation_policy.levels[0].timeout_seconds
    if not ticket.is_open:
        return step_state(ticket, 0, 0, level0, [], "closed")
    if ticket.assignee:  # after a hand-over: the new owner's clock starts at level 0
        return step_state(ticket, 0, 0, level0, [ticket.assignee], "assigned")
    team = agents.team(tenant_id)
    roles = routing.allowed_roles(ticket.reason, ticket.department, settings.routing)
    pool = routing.rank(routing.candidates(team, ticket.department, roles), settings.routing.strategy)
    previous = _returning_customers_agent(ticket)
    rule = settings.routing.strategy
    if previous and any(c.agent_id == previous for c in pool):
        pool = sorted(pool, key=lambda c: c.agent_id != previous)  # stable: the rest keep their order
        rule = "sticky"
    for candidate in pool:
        audit = {
            "at": now_iso(),
            "agent_id": candidate.agent_id,
            "strategy": settings.routing.strategy,
            "rule": rule if candidate.agent_id == previous else settings.routing.strategy,
            "department": ticket.department,
            "roles": sorted(roles) if roles is not None else None,
            "candidates": [{"id": c.agent_id, "open": c.open_count, "capacity": c.capacity} for c in pool],
        }
        record = [
            TicketModel.assignment_audit.set(TicketModel.assignment_audit.append([audit])),
            tickets.history_action(history_entry(0, "assigned", candidate.agent_id)),
            TicketModel.escalation_level.set(0),
        ]
        if routing.assign_ticket(ticket, candidate.agent_id, record):
            ticket.refresh()
            return step_state(ticket, 0, 0, level0, [candidate.agent_id], "assigned")
    tickets.append_history(ticket, history_entry(0, "queued", None, department=ticket.department))
    metrics.add_metric(name="TicketQueued", unit="Count", value=1)
    return step_state(ticket, 0, 0, level0, [], "queued")


def _returning_customers_agent(ticket: TicketModel) -> str | None:
    """The agent of this customer's previous ticket, if it closed less than STICKY_HOURS ago."""
    conversation = conversations.get_conversation(ticket.conversation_id)
    if not conversation.last_agent_id or not conversation.last_closed_at:
        return None
    if utc_now() - parse_iso(conversation.last_closed_at) > timedelta(hours=STICKY_HOURS):
        return None
    return conversation.last_agent_id


def await_response(tenant_id: str, ticket_id: str, task_token: str, state: dict) -> None:
    """Park the workflow: the token goes on the ticket. If a human already responded (or the ticket
    closed) before the token was stored, answer it at once so no timer runs for nothing."""
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    ticket.update(actions=[TicketModel.task_token.set(task_token)])
    if not ticket.is_open:
        signal(ticket, "closed")
    elif ticket.acknowledged_at or ticket.first_response_at:
        signal(ticket, "responded")


def next_level(tenant_id: str, ticket_id: str, state: dict) -> dict:
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    ticket.update(actions=[TicketModel.task_token.remove()])
    policy = tenants.load_settings(tenant_id).escalation_policy
    position = next_position(policy, int(state.get("level", 0)), int(state.get("round", 0)))
    if not ticket.is_open:
        return step_state(ticket, 0, 0, 1, [], "closed")
    if position is None:
        done = step_state(ticket, int(state.get("level", 0)), int(state.get("round", 0)), 1, [], "exhausted")
        done["exhausted"] = True
        return done
    level, round_ = position
    rung = policy.levels[level]
    team = agents.team(tenant_id)
    targets = level_targets(rung, ticket.assignee, team)
    event = "escalated"
    if rung.reassign and targets:
        # Whoever the level names may take the ticket, whatever their department (team leads, admins).
        pool = routing.rank(
            routing.candidates([a for a in team if a.agent_id in targets], None, None), "least_loaded"
        )
        if pool and ticket.assignee not in {c.agent_id for c in pool}:
            routing.unassign(ticket)
            if any(routing.assign_ticket(ticket, c.agent_id) for c in pool):
                event = "reassigned"
    ticket.refresh()
    entry = history_entry(
        level, event, ticket.assignee if event == "reassigned" else ",".join(targets) or None
    )
    entry["targets"] = targets
    entry["round"] = round_
    ticket.update(
        actions=[
            tickets.history_action(entry),
            TicketModel.escalation_level.set(level),
            TicketModel.escalation_round.set(round_),
        ]
    )
    metrics.add_metric(name="TicketEscalated", unit="Count", value=1)
    return step_state(ticket, level, round_, rung.timeout_seconds, targets, event)


def flag_unattended(tenant_id: str, ticket_id: str) -> None:
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    if not ticket.is_open:
        return
    ticket.update(
        actions=[
            TicketModel.unattended.set(now_iso()),
            tickets.history_action(history_entry(int(ticket.escalation_level), "unattended")),
        ]
    )
    for admin in agents.admins(agents.team(tenant_id)):
        notifications.notify_agent(
            admin,
            "ticket_unattended",
            "Ticket unattended",
            f"Nobody responded to {ticket.question[:120]}",
            ticket,
        )


def workflow_failed(tenant_id: str, ticket_id: str, error: dict | None) -> None:
    """Never lose a ticket: keep it, mark what failed, let admins see it."""
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    cause = (error or {}).get("Error", "unknown")
    tickets.append_history(
        ticket, history_entry(int(ticket.escalation_level), "workflow_failed", None, error=cause)
    )
    metrics.add_metric(name="EscalationWorkflowFailed", unit="Count", value=1)


# ------------------------------------------------------------------ answering the wait
def signal(ticket: TicketModel, event: str) -> bool:
    """Tell the waiting workflow that a human responded (ack / reply / close / reassign / capacity).

    The token is taken off the ticket first (conditional), so two signals never race; a token whose
    task already timed out is fine (AWS answers TaskTimedOut, moto answers OK).
    """
    token = ticket.task_token
    if not token:
        return False
    try:
        ticket.update(actions=[TicketModel.task_token.remove()], condition=TicketModel.task_token == token)
    except Exception:
        return False  # someone else answered it
    try:
        _sfn().send_task_success(taskToken=token, output=json.dumps({"event": event}))
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _GONE_TOKEN_ERRORS:
            raise
        logger.info("task token already gone", extra={"ticket_id": ticket.ticket_id, "event": event})
        return False
    return True
