"""Issue 16, bugs 9 and 10: rules nobody can serve are refused in words, and a queue drains the moment
its cause is fixed (a capacity raised, a role given, a rule or a department changed), not minutes later."""

from __future__ import annotations

from tests.conftest import Client, eventually, whatsapp_text


def _put(client: Client, path: str, body: dict):
    return client.api("PUT", path, json=body)


def _refused(response, *words: str) -> None:
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "unroutable"
    for word in words:
        assert word in error["message"], error["message"]


def test_a_rule_for_a_role_nobody_has_is_refused_and_nothing_changes(client: Client) -> None:
    routing = client.api("GET", "/api/settings/routing").json()
    wizards = {**routing, "rules": [{"when": {"reason": "complaint"}, "roles": ["wizard"]}]}
    _refused(_put(client, "/api/settings/routing", wizards), "complaints", "'wizard'", "no agent")
    assert client.api("GET", "/api/settings/routing").json()["rules"] == routing["rules"]


def test_a_department_nobody_works_in_is_refused(client: Client) -> None:
    routing = client.api("GET", "/api/settings/routing").json()
    returnz = {
        **routing,
        "departments": [*routing["departments"], {"name": "returnz", "keywords": ["return"]}],
    }
    _refused(_put(client, "/api/settings/routing", returnz), "nobody works in the department 'returnz'")


def test_an_escalation_level_for_a_role_nobody_has_is_refused(client: Client) -> None:
    policy = client.api("GET", "/api/settings/escalation-policy").json()
    levels = [*policy["levels"], {"target": "role:wizards", "timeout_seconds": 60, "reassign": False}]
    _refused(_put(client, "/api/settings/escalation-policy", {**policy, "levels": levels}), "role 'wizards'")
    ghost = [*policy["levels"], {"target": "agent:no-such-agent", "timeout_seconds": 60, "reassign": False}]
    _refused(_put(client, "/api/settings/escalation-policy", {**policy, "levels": ghost}), "not in the team")
    assert client.api("GET", "/api/settings/escalation-policy").json()["levels"] == policy["levels"]


def test_a_team_change_that_strands_a_department_or_a_level_is_refused(client: Client) -> None:
    carol, lead = client.agent_id("carol@demo.test"), client.agent_id("lead@demo.test")
    # Lee is the only team lead (escalation level 2) ...
    _refused(_put(client, f"/api/agents/{lead}", {"roles": ["tier1"]}), "role 'team_lead'")
    # ... and billing keeps Lee when Carol leaves it, but not nobody.
    assert _put(client, f"/api/agents/{carol}", {"departments": ["tech_support"]}).status_code == 200
    _refused(_put(client, f"/api/agents/{lead}", {"departments": ["tech_support"]}), "'billing'")
    agents = {a["id"]: a for a in client.api("GET", "/api/agents").json()["items"]}
    assert agents[lead]["roles"] == ["team_lead"] and "billing" in agents[lead]["departments"]
    bad = _put(client, f"/api/agents/{carol}", {"departments": ["billing", "  "]})
    assert bad.status_code == 400, bad.text  # a blank department name is no department


def _queued(client: Client, customer: str, text: str = "I want to talk to a human") -> dict:
    client.webhook(whatsapp_text(text, customer=customer))

    def waiting() -> dict | None:
        found = [t for t in client.tickets() if t["customer"]["id"] == customer]
        history = found[0]["escalation"]["history"] if found else []
        return found[0] if any(h["event"] == "queued" for h in history) else None

    ticket = eventually(waiting, timeout=15)
    assert ticket["assignee"] is None
    return ticket


def _assignee(client: Client, ticket_id: str) -> str | None:
    return client.api("GET", f"/api/tickets/{ticket_id}").json()["assignee"]


def _away(client: Client, *emails: str) -> None:
    for email in emails:
        assert _put(client, f"/api/agents/{client.agent_id(email)}", {"status": "away"}).ok


def test_a_queued_ticket_is_taken_as_soon_as_an_admin_raises_a_capacity(client: Client) -> None:
    alice = client.agent_id("alice@demo.test")
    _away(client, "bob@demo.test", "lead@demo.test")
    assert _put(client, f"/api/agents/{alice}", {"capacity": 0}).ok
    ticket = _queued(client, "15550901001")
    assert _put(client, f"/api/agents/{alice}", {"capacity": 3}).ok
    # The admin's save has returned: the ticket is Alice's already, not after a timer.
    assert _assignee(client, ticket["id"]) == alice


def test_a_queued_ticket_is_taken_as_soon_as_the_rule_that_held_it_changes(client: Client) -> None:
    _away(client, "lead@demo.test")  # the only team lead
    routing = client.api("GET", "/api/settings/routing").json()
    leads_only = {**routing, "rules": [{"when": {"reason": "agent_requested"}, "roles": ["team_lead"]}]}
    saved = _put(client, "/api/settings/routing", leads_only)
    assert saved.status_code == 200, saved.text
    ticket = _queued(client, "15550901002")
    assert _put(client, "/api/settings/routing", {**saved.json(), "rules": []}).status_code == 200
    assert _assignee(client, ticket["id"]) in {
        client.agent_id("alice@demo.test"),
        client.agent_id("bob@demo.test"),
    }


def test_a_ticket_queued_in_a_department_that_is_removed_is_routed_again(client: Client) -> None:
    lead = client.agent_id("lead@demo.test")
    assert _put(client, f"/api/agents/{lead}", {"departments": ["tech_support", "billing", "returns"]}).ok
    _away(client, "lead@demo.test")
    routing = client.api("GET", "/api/settings/routing").json()
    returns = {
        **routing,
        "departments": [*routing["departments"], {"name": "returns", "keywords": ["return"]}],
    }
    saved = _put(client, "/api/settings/routing", returns)
    assert saved.status_code == 200, saved.text
    ticket = _queued(client, "15550901003", "I want to talk to a human about a return")
    assert ticket["department"] == "returns"
    removed = {**saved.json(), "departments": routing["departments"]}
    assert _put(client, "/api/settings/routing", removed).status_code == 200
    detail = client.api("GET", f"/api/tickets/{ticket['id']}").json()
    assert detail["department"] == routing["default_department"]
    assert detail["assignee"] in {client.agent_id("alice@demo.test"), client.agent_id("bob@demo.test")}
    rerouted = [h for h in detail["escalation"]["history"] if h["event"] == "routed"]
    assert rerouted[-1]["previous"] == "returns"
