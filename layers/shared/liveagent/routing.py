"""Who gets a ticket: department, role rules, availability, load balancing, atomic assignment."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from liveagent import storage
from liveagent.agents import AgentModel
from liveagent.detection.text import fold
from liveagent.ids import now_iso
from liveagent.observability import logger
from liveagent.settings import RoutingSettings
from liveagent.tickets import TicketModel


def choose_department(text: str, reason: str, routing: RoutingSettings) -> tuple[str, str | None]:
    """(department, keyword that chose it); the default department when no keyword matches."""
    folded = fold(f"{text} {reason.replace('_', ' ')}")
    for department in routing.departments:
        for word in department.keywords:
            if re.search(rf"\b{re.escape(fold(word))}(s|es|ed|d|ing)?\b", folded):
                return department.name, word
    return routing.default_department, None


def allowed_roles(reason: str, department: str, routing: RoutingSettings) -> set[str] | None:
    """Roles allowed by the first matching rule; None when no rule narrows the candidates."""
    for rule in routing.rules:
        if rule.when.reason not in (None, reason) or rule.when.department not in (None, department):
            continue
        return set(rule.roles)
    return None


@dataclass(frozen=True)
class Candidate:
    agent_id: str
    open_count: int
    capacity: int
    last_assigned_at: str

    @property
    def load(self) -> float:
        return self.open_count / self.capacity if self.capacity else 1.0


def candidates(
    team: list[AgentModel],
    department: str | None,
    roles: set[str] | None,
    exclude: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """Online agents of the department (None: any) and allowed roles, with free capacity."""
    chosen = []
    for agent in team:
        if agent.status != "online" or agent.agent_id in exclude:
            continue
        if department is not None and department not in (agent.departments or []):
            continue
        if roles is not None and not roles & set(agent.roles or []):
            continue
        if int(agent.open_count) >= int(agent.capacity):
            continue
        chosen.append(
            Candidate(agent.agent_id, int(agent.open_count), int(agent.capacity), agent.last_assigned_at)
        )
    return chosen


def rank(pool: list[Candidate], strategy: str) -> list[Candidate]:
    """least_loaded: lowest open/capacity, ties to the one assigned longest ago.
    round_robin: the one assigned longest ago."""
    if strategy == "round_robin":
        return sorted(pool, key=lambda c: (c.last_assigned_at, c.agent_id))
    return sorted(pool, key=lambda c: (c.load, c.last_assigned_at, c.agent_id))


def assign_ticket(ticket: TicketModel, agent_id: str, record: list | None = None) -> bool:
    """One transaction: the ticket gets its only owner, the agent one more open ticket below capacity;
    `record` (more ticket update actions: audit, history) is written in the same transaction.

    False when either condition fails (someone else took the ticket, or the agent filled up / went away).
    A transaction DynamoDB cancelled for a conflict with another one on the same items is run again (a
    conflict says nothing about the conditions); any other error propagates.
    """
    try:
        _assign_transaction(ticket, agent_id, record)
    except TransactWriteError as exc:
        if not storage.failed_conditions(exc):
            raise
        logger.info("assignment lost a race", extra={"agent_id": agent_id, "reasons": str(exc)})
        return False
    return True


@storage.retry_on_conflict
def _assign_transaction(ticket: TicketModel, agent_id: str, record: list | None) -> None:
    agent = AgentModel(ticket.tenant_id, agent_id)
    with TransactWrite(connection=storage.transaction_connection()) as transaction:
        transaction.update(
            ticket,
            actions=[
                TicketModel.assignee.set(agent_id),
                TicketModel.assignee_key.set(f"{ticket.tenant_id}#{agent_id}"),
                TicketModel.waiting_key.remove(),
                *(record or []),
            ],
            condition=TicketModel.assignee.does_not_exist() & (TicketModel.status != "closed"),
        )
        transaction.update(
            agent,
            actions=[AgentModel.open_count.add(1), AgentModel.last_assigned_at.set(now_iso())],
            condition=(AgentModel.open_count < AgentModel.capacity) & (AgentModel.status == "online"),
        )


def free_capacity(ticket: TicketModel) -> None:
    """Closing or handing over: the owner's open count goes down (never below zero) in one transaction."""
    if not ticket.assignee:
        return
    agent = AgentModel(ticket.tenant_id, ticket.assignee)
    try:
        agent.update(actions=[AgentModel.open_count.add(-1)], condition=AgentModel.open_count > 0)
    except Exception:  # the agent was removed, or the count is already 0
        logger.warning("agent open count not decremented", extra={"agent_id": ticket.assignee})


def unassign(ticket: TicketModel) -> None:
    """Take the ticket off its owner (reassignment) and free their capacity."""
    previous = ticket.assignee
    if not previous:
        return
    ticket.update(
        actions=[
            TicketModel.assignee.remove(),
            TicketModel.assignee_key.remove(),
            TicketModel.waiting_key.set(f"{ticket.tenant_id}#{ticket.department}"),
        ],
        condition=TicketModel.assignee == previous,
    )
    AgentModel(ticket.tenant_id, previous).update(
        actions=[AgentModel.open_count.add(-1)], condition=AgentModel.open_count > 0
    )
