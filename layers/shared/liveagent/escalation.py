"""The workflows' ticket steps: open a ticket, assign it, wait for a human, walk the policy's levels.

The message workflow (Express) opens the ticket; the escalation workflow (Standard, one execution per
ticket, infra/statemachines/escalation.asl.json) walks it. Both call these through the route function.
The moves themselves are the lifecycle's (liveagent.lifecycle); these steps decide which, and keep the
workflow in step: the task token of the current wait lives on the ticket, and whatever changes the ticket
(ack, reply, close, hand-over, the queue) answers it with SendTaskSuccess.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache

import boto3
from botocore.exceptions import ClientError
from pynamodb.exceptions import UpdateError

from liveagent import (
    agents,
    business_hours,
    config,
    conversations,
    language,
    lifecycle,
    notifications,
    routing,
    tenants,
    tickets,
)
from liveagent.agents import AgentModel
from liveagent.errors import NotFound
from liveagent.ids import iso, now_iso, parse_iso, utc_now
from liveagent.observability import logger, metrics
from liveagent.settings import EscalationPolicy, PolicyLevel
from liveagent.tickets import TicketModel, history_entry
from liveagent.workflow import OpenResult, StepState, Wake

_GONE_TOKEN_ERRORS = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}
STICKY_HOURS = 24  # a returning customer goes back to the agent who helped them
CAPACITY_WAIT_SECONDS = 86400  # a queued ticket nobody took: its workflow waits for capacity, a day at a time


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


LADDER_EVENTS = frozenset({"assigned", "escalated", "reassigned", "handed_over"})


def next_escalation_at(ticket: TicketModel, policy: EscalationPolicy) -> str | None:
    """When the ladder moves on if nobody responds (the next level told, or after the last one the ticket
    flagged Unattended): the last step's time plus its level's wait. None when nothing will (closed,
    acknowledged since that step, already unattended). For the agents' countdown; the workflow's own
    timer is what acts."""
    if not ticket.is_open or ticket.unattended:
        return None
    steps = [h for h in ticket.history or [] if h.get("event") in LADDER_EVENTS]
    if not steps:
        return None
    since = steps[-1]["at"]
    if ticket.acknowledged_at and ticket.acknowledged_at >= since:
        return None
    level = min(int(ticket.escalation_level), len(policy.levels) - 1)  # the last level ends in Unattended
    return iso(parse_iso(since) + timedelta(seconds=policy.levels[level].timeout_seconds))


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
) -> StepState:
    return StepState(
        closed=not ticket.is_open,
        assigned=bool(ticket.assignee),
        assignee=ticket.assignee,
        level=level,
        round=round_,
        timeout_seconds=timeout,
        targets=targets,
        event=event,
        queued=ticket.is_open and not ticket.assignee,
        at=now_iso(),
    )


def wake_for(ticket: TicketModel, state: StepState, *, attended: bool = False) -> str | None:
    """Whether the ticket already moved on from what the workflow is about to wait for (a human or the
    queue got there before the token was stored): the event to wake it with at once, else None.
    `attended`: the wait after someone responded, which only a new owner or the close ends."""
    if not ticket.is_open:
        return "closed"
    if ticket.assignee != state.assignee:
        return "assigned" if state.queued else "reassigned"
    if not attended and ticket.assignee and ticket.acknowledged_at:
        return "responded"
    return None


# ------------------------------------------------------------------ message workflow: open a ticket
def open_ticket(tenant_id: str, conversation_id: str, message_key: str, detection: dict) -> OpenResult:
    """The escalating message's ticket, and its escalation workflow started (both once however often this
    runs); or, when another ticket is open, the message joins it."""
    conversation = conversations.get_conversation(conversation_id)
    message = conversations.get_message(conversation_id, message_key)
    if conversation.open_ticket_id and conversation.open_ticket_id != lifecycle.ticket_id_for(message):
        joined = join_open_ticket(conversation, message)
        if joined:
            return OpenResult(ticket_id=joined, created=False)
    settings = tenants.load_settings(tenant_id)
    detected = language.detect(message.text)
    spoken = detected.language if detected else None
    department, matched = routing.choose_department(
        message.text, detection["reason"], settings.routing, spoken
    )
    history = [history_entry(0, "created", reason=detection["reason"])]
    if matched:
        history.append(history_entry(0, "routed", department, keyword=matched))
    now = utc_now()
    opens_at = None
    if not business_hours.is_open(settings.business_hours, now):
        opening = business_hours.next_opening(settings.business_hours, now)
        opens_at = iso(opening) if opening else None
        history.append(history_entry(0, "queued_until_open", None, until=opens_at))
    opened = lifecycle.open_ticket(
        conversation, message, reason=detection["reason"], triggers=detection.get("triggers", []),
        department=department, history=history, language=spoken,
    )  # fmt: skip
    if not opened.own:
        return OpenResult(ticket_id=opened.ticket_id, created=False)
    _start_escalation(tenant_id, opened.ticket_id, opens_at)
    logger.info("ticket opened", extra={"ticket_id": opened.ticket_id, "department": department})
    return OpenResult(ticket_id=opened.ticket_id, created=True, open=opens_at is None, opens_at=opens_at)


def _start_escalation(tenant_id: str, ticket_id: str, opens_at: str | None) -> None:
    """Named after the ticket: a second start (a retried step) is ExecutionAlreadyExists, i.e. done."""
    try:
        _sfn().start_execution(
            stateMachineArn=config.escalation_state_machine_arn(),
            name=ticket_id,
            input=json.dumps({"tenant_id": tenant_id, "ticket_id": ticket_id, "opens_at": opens_at}),
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
            raise


def join_open_ticket(
    conversation: conversations.ConversationModel, message: conversations.MessageModel
) -> str | None:
    """A customer message while a ticket is open joins it, the bot stays silent, and the assignee hears
    about it in-app (once). None when the conversation named a ticket that does not exist (let go)."""
    try:
        ticket = tickets.get_ticket(conversation.tenant_id, conversation.open_ticket_id)
    except NotFound:
        lifecycle.forget_missing_ticket(conversation)
        return None
    if message.ticket_id == ticket.ticket_id:
        return ticket.ticket_id  # joined already (a retried step), or the message that opened it
    lifecycle.join(conversation, message)
    assignee = agents.find_agent(ticket.tenant_id, ticket.assignee)
    if assignee and assignee.notify.in_app:
        who = ticket.customer_name or ticket.customer_id
        notifications.store_in_app(
            assignee, "customer_message", f"New message from {who}", message.text, ticket.ticket_id,
            cause=(f"message:{message.message_key}", message.at),
        )  # fmt: skip
    return ticket.ticket_id


# ------------------------------------------------------------------ escalation workflow steps
def assign(tenant_id: str, ticket_id: str) -> StepState:
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    settings = tenants.load_settings(tenant_id)
    level0 = settings.escalation_policy.levels[0].timeout_seconds
    if not ticket.is_open:
        return step_state(ticket, 0, 0, level0, [], "closed")
    if ticket.assignee:  # assigned meanwhile (hand-over, the queue): the owner's clock starts at level 0
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
        if lifecycle.assign(ticket, candidate.agent_id, record):
            ticket.refresh(consistent_read=True)
            return step_state(ticket, 0, 0, level0, [candidate.agent_id], "assigned")
    ticket.refresh(consistent_read=True)
    if ticket.assignee:  # taken meanwhile (the queue drained into it)
        return step_state(ticket, 0, 0, level0, [ticket.assignee], "assigned")
    if not any(h.get("event") == "queued" for h in ticket.history or []):
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


def await_response(
    tenant_id: str, ticket_id: str, task_token: str, state: StepState, *, attended: bool = False
) -> None:
    """Park the workflow: the token goes on the ticket. If the ticket moved on before the token was
    stored (a human responded, it closed, the queue assigned it), answer it at once: no timer runs for
    nothing and no wake is lost. The workflow waits on every open ticket until it closes, so a hand-over
    after a response still gives the new owner their timer."""
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    waits_on = TicketModel.token_assignee.set(state.assignee) if state.assignee else None
    ticket.update(
        actions=[TicketModel.task_token.set(task_token), waits_on or TicketModel.token_assignee.remove()]
    )
    ticket.refresh(consistent_read=True)
    event = wake_for(ticket, state, attended=attended)
    if event:
        signal(ticket, event)


def next_level(tenant_id: str, ticket_id: str, state: StepState) -> StepState:
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    policy = tenants.load_settings(tenant_id).escalation_policy
    if not ticket.is_open:
        return step_state(ticket, 0, 0, 1, [], "closed")
    position = next_position(policy, state.level, state.round)
    if position is None:
        done = step_state(ticket, state.level, state.round, 1, [], "exhausted")
        return done.model_copy(update={"exhausted": True})
    level, round_ = position
    rung = policy.levels[level]
    team = agents.team(tenant_id)
    targets = level_targets(rung, ticket.assignee, team)
    event = "escalated"
    entry = history_entry(level, "escalated", ",".join(targets) or None, targets=targets, round=round_)
    if rung.reassign and targets and ticket.assignee not in targets:
        # Whoever the level names may take the ticket, whatever their department (team leads, admins).
        pool = routing.rank(
            routing.candidates([a for a in team if a.agent_id in targets], None, None), "least_loaded"
        )
        for candidate in pool:
            moved = {**entry, "event": "reassigned", "to": candidate.agent_id}
            if lifecycle.move(ticket, candidate.agent_id, moved):
                event = "reassigned"
                break
    ticket.refresh(consistent_read=True)
    actions = [TicketModel.escalation_level.set(level), TicketModel.escalation_round.set(round_)]
    if event == "escalated":
        actions.append(tickets.history_action(entry))
    ticket.update(actions=actions)
    metrics.add_metric(name="TicketEscalated", unit="Count", value=1)
    return step_state(ticket, level, round_, rung.timeout_seconds, targets, event)


def flag_unattended(tenant_id: str, ticket_id: str) -> StepState:
    """The ladder ran out: flagged, admins told (once). A ticket still waiting for an agent keeps its
    workflow waiting for capacity, so the queue can still wake it."""
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    if lifecycle.flag_unattended(ticket):
        ticket.refresh(consistent_read=True)
        for admin in agents.admins(agents.team(tenant_id)):
            body = f"Nobody responded to {ticket.question[:120]}"
            cause = (f"{ticket_id}:unattended", ticket.unattended)
            notifications.notify_agent(
                admin, "ticket_unattended", "Ticket unattended", body, ticket, cause=cause
            )
    level, round_ = int(ticket.escalation_level), int(ticket.escalation_round)
    return step_state(ticket, level, round_, CAPACITY_WAIT_SECONDS, [], "unattended")


def workflow_failed(tenant_id: str, ticket_id: str, error: dict | None) -> None:
    """Never lose a ticket: keep it, mark what failed, let admins see it; it leaves the queue."""
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    lifecycle.leave_queue(ticket, (error or {}).get("Error", "unknown"))
    metrics.add_metric(name="EscalationWorkflowFailed", unit="Count", value=1)


# ------------------------------------------------------------------ answering the wait
def signal(ticket: TicketModel, event: str) -> bool:
    """Tell the waiting workflow that something happened (ack / reply / close / hand-over / capacity).

    Sent with the token the ticket holds, then taken off the ticket (only if unchanged): a second signal
    for the same wait meets a finished task and is harmless, so a retried action can always signal again.
    False when no workflow is waiting. Errors other than a finished task propagate."""
    Wake(event=event)  # only what the workflow knows
    token = ticket.task_token
    if not token:
        return False
    if event in ("assigned", "reassigned") and ticket.assignee and ticket.token_assignee == ticket.assignee:
        # The wait is already the new owner's (a retried hand-over after the first attempt's wake was
        # handled): waking it again would notify them twice and restart their ladder.
        return False
    try:
        _sfn().send_task_success(taskToken=token, output=json.dumps({"event": event}))
        sent = True
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _GONE_TOKEN_ERRORS:
            raise
        logger.info("task token already gone", extra={"ticket_id": ticket.ticket_id, "event": event})
        sent = False
    try:
        ticket.update(actions=[TicketModel.task_token.remove()], condition=TicketModel.task_token == token)
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise  # a newer wait stored its own token meanwhile: that one stays
    return sent
