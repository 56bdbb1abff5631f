"""Whether a tenant's rules leave every ticket someone to go to (pure decisions).

A ticket is routed to a department (its keywords, else the default), then to the agents of that department
whose roles the first matching rule allows; when nobody responds, the escalation policy's levels name who
is told next. A department nobody works in, a rule allowing only roles nobody in its department has, or a
level naming a role or agent the team does not have strands tickets: they wait in the queue with nobody
to take them and nobody told. Membership counts, not presence: an agent offline tonight is a queue that
drains when they come online; a role nobody holds never drains.
"""

from __future__ import annotations

from collections.abc import Iterable

from liveagent.agents import AgentModel
from liveagent.routing import allowed_roles
from liveagent.settings import EscalationPolicy, RoutingSettings
from liveagent.tickets import REASON_ORDER as REASONS

REASON_WORDS = {
    "question_not_found": "unanswered questions",
    "agent_requested": "requests for a person",
    "complaint": "complaints",
    "custom_trigger": "custom triggers",
}


def department_names(routing: RoutingSettings) -> list[str]:
    """Every department a ticket can be routed to (the default too), in the settings' order."""
    return list(dict.fromkeys([*(d.name for d in routing.departments), routing.default_department]))


def _names(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def routing_gaps(routing: RoutingSettings, team: list[AgentModel]) -> list[str]:
    """What in `routing` no member of `team` can serve, in words an admin reads."""
    gaps = []
    departments = department_names(routing)
    for rule in routing.rules:
        if rule.when.department is not None and rule.when.department not in departments:
            gaps.append(
                f"a routing rule names the department '{rule.when.department}', which is not one of the "
                f"departments ({_names(departments)})"
            )
    for department in departments:
        members = [a for a in team if department in (a.departments or [])]
        if not members:
            gaps.append(
                f"nobody works in the department '{department}': its tickets would wait with nobody to take "
                "them. Add an agent to it first (Team)"
            )
            continue
        held = {role for a in members for role in a.roles or []}
        for reason in REASONS:
            roles = allowed_roles(reason, department, routing)
            if roles is not None and not roles & held:
                gaps.append(
                    f"{REASON_WORDS[reason]} in '{department}' may go only to the role {_names(roles)}, "
                    f"which no agent of '{department}' has"
                )
    return gaps


def policy_gaps(policy: EscalationPolicy, team: list[AgentModel]) -> list[str]:
    """Escalation levels that would tell nobody."""
    gaps = []
    for number, level in enumerate(policy.levels, start=1):
        kind, _, name = level.target.partition(":")
        if kind == "role" and not any(name in (a.roles or []) for a in team):
            gaps.append(f"escalation level {number} goes to the role '{name}', which no agent has")
        elif kind == "agent" and not any(a.agent_id == name for a in team):
            gaps.append(f"escalation level {number} goes to an agent who is not in the team ({name})")
        elif kind == "permission" and not any(a.permission == "admin" for a in team):
            gaps.append(f"escalation level {number} goes to the admins, and the team has none")
    return gaps


def gaps(routing: RoutingSettings, policy: EscalationPolicy, team: list[AgentModel]) -> list[str]:
    return routing_gaps(routing, team) + policy_gaps(policy, team)


def new_gaps(before: list[str], after: list[str]) -> list[str]:
    """What a change would strand that was served before it (a tenant that is already short of someone
    can still change everything else)."""
    return [gap for gap in after if gap not in before]


# ------------------------------------------------------------------------------ at the API's edge
def require_servable(
    tenant_id: str,
    *,
    routing: RoutingSettings | None = None,
    policy: EscalationPolicy | None = None,
    team: list[AgentModel] | None = None,
) -> None:
    """Refuse (409 `unroutable`, saying what and why) a change of routing, policy or team that would leave
    a reason, department or escalation level nobody can serve. What is not changed is read as saved."""
    from liveagent import agents, tenants
    from liveagent.errors import DomainError

    settings = tenants.load_settings(tenant_id)
    current_team = agents.team(tenant_id)
    before = gaps(settings.routing, settings.escalation_policy, current_team)
    after = gaps(routing or settings.routing, policy or settings.escalation_policy, team or current_team)
    stranded = new_gaps(before, after)
    if stranded:
        raise DomainError(
            "This change would strand tickets: " + "; ".join(stranded) + ".", code="unroutable", status=409
        )
