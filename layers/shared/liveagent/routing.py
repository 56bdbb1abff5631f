"""Who gets a ticket: department, role rules, availability, load balancing (pure decisions; the assignment
itself is a lifecycle transition, liveagent.lifecycle.assign)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from liveagent.agents import AgentModel
from liveagent.detection.text import fold
from liveagent.settings import RoutingSettings


def choose_department(
    text: str, reason: str, routing: RoutingSettings, language: str | None = None
) -> tuple[str, str | None]:
    """(department, keyword that chose it); the default department when no keyword matches. Keywords of
    the customer's language count beside the ones for every language (`language` None: all of them)."""
    folded = fold(f"{text} {reason.replace('_', ' ')}")
    for department in routing.departments:
        for word in department.keywords_for(language):
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
