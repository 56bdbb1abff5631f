"""Routing and escalation-ladder decisions (pure functions)."""

from __future__ import annotations

from liveagent.agents import AgentModel
from liveagent.escalation import level_targets, next_position
from liveagent.routing import Candidate, allowed_roles, candidates, choose_department, rank
from liveagent.settings import Department, EscalationPolicy, PolicyLevel, RoutingRule, RoutingSettings

ROUTING = RoutingSettings(
    departments=[
        Department(name="tech_support", keywords=["login", "error"]),
        Department(name="billing", keywords=["invoice", "charge"]),
    ],
    default_department="tech_support",
    rules=[RoutingRule(when={"reason": "complaint"}, roles=["team_lead"])],
)


def agent(agent_id: str, *, departments=("tech_support",), roles=("tier1",), status="online", open_count=0,
          capacity=5, last="", permission="agent") -> AgentModel:  # fmt: skip
    return AgentModel("t", agent_id, email=f"{agent_id}@x", departments=list(departments), roles=list(roles),
                      status=status, open_count=open_count, capacity=capacity, last_assigned_at=last,
                      permission=permission)  # fmt: skip


def test_department_by_keyword_with_inflections_else_the_default() -> None:
    assert choose_department("I was charged twice", "custom_trigger", ROUTING) == ("billing", "charge")
    assert choose_department("login errors again", "question_not_found", ROUTING) == ("tech_support", "login")
    assert choose_department("hello", "agent_requested", ROUTING) == ("tech_support", None)


def test_role_rules_narrow_candidates() -> None:
    assert allowed_roles("complaint", "billing", ROUTING) == {"team_lead"}
    assert allowed_roles("agent_requested", "billing", ROUTING) is None
    team = [agent("a"), agent("lead", roles=("team_lead",))]
    assert [c.agent_id for c in candidates(team, "tech_support", {"team_lead"})] == ["lead"]


def test_only_online_agents_of_the_department_with_free_capacity() -> None:
    team = [
        agent("online"),
        agent("away", status="away"),
        agent("full", open_count=5),
        agent("billing", departments=("billing",)),
    ]
    assert [c.agent_id for c in candidates(team, "tech_support", None)] == ["online"]
    assert {c.agent_id for c in candidates(team, None, None)} == {"online", "billing"}


def test_least_loaded_is_relative_to_capacity_then_longest_idle() -> None:
    pool = [
        Candidate("busy", 2, 4, "2026-01-01T00:00:00Z"),  # 50 %
        Candidate("big", 3, 10, "2026-01-02T00:00:00Z"),  # 30 %
        Candidate("idle", 3, 10, "2026-01-01T00:00:00Z"),  # 30 %, assigned longer ago
    ]
    assert [c.agent_id for c in rank(pool, "least_loaded")] == ["idle", "big", "busy"]
    assert [c.agent_id for c in rank(pool, "round_robin")] == ["busy", "idle", "big"]


def test_ladder_positions_with_repeat() -> None:
    policy = EscalationPolicy(
        levels=[
            PolicyLevel(target="assignee", timeout_seconds=1),
            PolicyLevel(target="role:team_lead", timeout_seconds=1),
            PolicyLevel(target="permission:admin", timeout_seconds=1),
        ],
        repeat=1,
    )
    assert next_position(policy, 0, 0) == (1, 0)
    assert next_position(policy, 2, 0) == (1, 1)
    assert next_position(policy, 2, 1) is None


def test_level_targets() -> None:
    team = [
        agent("a"),
        agent("lead", roles=("team_lead",)),
        agent("boss", permission="admin", departments=()),
    ]
    assert level_targets(PolicyLevel(target="assignee", timeout_seconds=1), "a", team) == ["a"]
    assert level_targets(PolicyLevel(target="assignee", timeout_seconds=1), None, team) == []
    assert level_targets(PolicyLevel(target="role:team_lead", timeout_seconds=1), "a", team) == ["lead"]
    assert level_targets(PolicyLevel(target="agent:a", timeout_seconds=1), None, team) == ["a"]
    assert level_targets(PolicyLevel(target="permission:admin", timeout_seconds=1), None, team) == ["boss"]


def test_the_next_escalation_is_the_last_steps_time_plus_its_levels_wait() -> None:
    from liveagent.escalation import next_escalation_at
    from liveagent.tickets import TicketModel

    policy = EscalationPolicy(levels=[PolicyLevel(target="assignee", timeout_seconds=900),
                                      PolicyLevel(target="role:team_lead", timeout_seconds=1800)])  # fmt: skip
    ticket = TicketModel("t", "T1", status="requested", escalation_level=0, escalation_round=0,
                         history=[{"at": "2026-12-01T10:00:00Z", "event": "created"},
                                  {"at": "2026-12-01T10:00:01Z", "event": "assigned", "to": "a"}])  # fmt: skip
    assert next_escalation_at(ticket, policy) == "2026-12-01T10:15:01.000Z"
    ticket.acknowledged_at = "2026-12-01T10:05:00Z"
    assert next_escalation_at(ticket, policy) is None  # acknowledged: the timer stopped
    ticket.history.append({"at": "2026-12-01T10:06:00Z", "event": "handed_over", "to": "b"})
    assert next_escalation_at(ticket, policy) == "2026-12-01T10:21:00.000Z"  # the new owner's own timer
    ticket.escalation_level, ticket.history = (
        1,
        [*ticket.history, {"at": "2026-12-01T11:00:00Z", "event": "escalated"}],
    )
    assert next_escalation_at(ticket, policy) == "2026-12-01T11:30:00.000Z"  # then Unattended
    ticket.unattended = "2026-12-01T11:30:00Z"
    assert next_escalation_at(ticket, policy) is None
    ticket.status = "closed"
    assert next_escalation_at(ticket, policy) is None
