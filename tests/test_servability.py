"""Which rules strand tickets: a department nobody works in, a rule allowing only roles its department
lacks, an escalation level naming nobody (pure decisions)."""

from __future__ import annotations

from liveagent.servability import gaps, new_gaps, policy_gaps, routing_gaps
from liveagent.settings import EscalationPolicy, PolicyLevel, RoutingRule, RoutingSettings, default_policy
from tests.test_routing import ROUTING, agent

TEAM = [
    agent("alice"),
    agent("carol", departments=("billing",)),
    agent("lee", departments=("tech_support", "billing"), roles=("team_lead",)),
    agent("dana", departments=(), roles=(), permission="admin"),
]


def test_the_demo_rules_are_servable() -> None:
    assert gaps(ROUTING, default_policy(), TEAM) == []


def test_a_department_nobody_works_in_strands_its_tickets() -> None:
    document = ROUTING.model_dump()
    document["departments"].append({"name": "returnz", "keywords": ["return"]})
    returns = RoutingSettings.model_validate(document)
    (gap,) = routing_gaps(returns, TEAM)
    assert "nobody works in the department 'returnz'" in gap


def test_a_rule_for_a_role_nobody_in_the_department_has_strands_that_reason() -> None:
    wizards = ROUTING.model_copy(
        update={"rules": [RoutingRule(when={"reason": "complaint"}, roles=["wizard"])]}
    )
    found = routing_gaps(wizards, TEAM)
    assert found == [
        "complaints in 'tech_support' may go only to the role 'wizard', which no agent of 'tech_support' has",
        "complaints in 'billing' may go only to the role 'wizard', which no agent of 'billing' has",
    ]
    # A role someone has, but in another department, still strands the department without it.
    billing_only = [agent("alice"), agent("carol", departments=("billing",), roles=("team_lead",))]
    assert routing_gaps(ROUTING, billing_only) == [
        "complaints in 'tech_support' may go only to the role 'team_lead', which no agent of 'tech_support' has"
    ]


def test_a_rule_naming_an_unknown_department_is_a_gap() -> None:
    typo = ROUTING.model_copy(update={"rules": [RoutingRule(when={"department": "biling"}, roles=["tier1"])]})
    assert "names the department 'biling'" in routing_gaps(typo, TEAM)[0]


def test_an_escalation_level_naming_nobody_is_a_gap() -> None:
    policy = EscalationPolicy(
        levels=[
            PolicyLevel(target="assignee", timeout_seconds=60),
            PolicyLevel(target="role:wizards", timeout_seconds=60),
            PolicyLevel(target="agent:ghost", timeout_seconds=60),
            PolicyLevel(target="agent:lee", timeout_seconds=60),
        ]
    )
    assert policy_gaps(policy, TEAM) == [
        "escalation level 2 goes to the role 'wizards', which no agent has",
        "escalation level 3 goes to an agent who is not in the team (ghost)",
    ]
    assert policy_gaps(default_policy(), [a for a in TEAM if a.permission != "admin"]) == [
        "escalation level 3 goes to the admins, and the team has none"
    ]


def test_offline_agents_still_serve_a_department() -> None:
    """Being away is a queue that drains when they return; it is not a rule that strands."""
    away = [agent(a.agent_id, departments=a.departments, roles=a.roles, status="offline") for a in TEAM[:3]]
    assert routing_gaps(ROUTING, away) == []


def test_only_what_a_change_adds_counts() -> None:
    assert new_gaps(["a", "b"], ["b", "c"]) == ["c"]
    assert new_gaps(["a"], []) == []
