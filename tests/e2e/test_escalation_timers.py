"""Escalation paths with second-scale timeouts from settings (no sleeps in the code under test)."""

from __future__ import annotations

import time

from tests.conftest import Client, eventually, whatsapp_text

FAST_POLICY = {
    "levels": [
        {"target": "assignee", "timeout_seconds": 1, "reassign": False},
        {"target": "role:team_lead", "timeout_seconds": 1, "reassign": True},
        {"target": "permission:admin", "timeout_seconds": 1, "reassign": False},
    ],
    "repeat": 0,
}


def _events(client: Client, ticket_id: str) -> list[dict]:
    return client.api("GET", f"/api/tickets/{ticket_id}").json()["escalation"]["history"]


def test_unanswered_ticket_climbs_the_ladder_and_the_lead_takes_it(client: Client) -> None:
    assert client.api("PUT", "/api/settings/escalation-policy", json=FAST_POLICY).status_code == 200
    # The lead is busy elsewhere? No: make alice the only tech agent online besides the lead.
    client.api("PUT", f"/api/agents/{client.agent_id('bob@demo.test')}", json={"status": "offline"})
    client.webhook(whatsapp_text("can I talk to a person", customer="15550009999"))
    ticket = eventually(lambda: client.tickets())[0]
    lead = client.agent_id("lead@demo.test")
    admin = client.agent_id("admin@demo.test")

    history = eventually(
        lambda: (
            [e for e in _events(client, ticket["id"]) if e["event"] == "unattended"]
            and _events(client, ticket["id"])
        ),
        timeout=10,
    )
    kinds = [(e["level"], e["event"]) for e in history]
    assert (0, "assigned") in kinds
    reassigned = next(e for e in history if e["event"] == "reassigned")
    assert reassigned["level"] == 1 and reassigned["to"] == lead
    escalated = next(e for e in history if e["event"] == "escalated")
    assert escalated["level"] == 2 and admin in escalated["targets"]
    detail = client.api("GET", f"/api/tickets/{ticket['id']}").json()
    assert detail["assignee"] == lead and detail["escalation"]["unattended"] is True

    # The lead and the admin were told, by email too.
    emails = client.outbox()["emails"]
    assert any("lead@demo.test" in e["to"] and "reassigned to you" in e["subject"] for e in emails)
    assert any("admin@demo.test" in e["to"] and "level 2" in e["subject"] for e in emails)
    # The first assignee's capacity went back when the lead took over.
    agents = {a["id"]: a for a in client.api("GET", "/api/agents").json()["items"]}
    assert agents[lead]["open_tickets"] == 1
    assert sum(a["open_tickets"] for a in agents.values()) == 1


def test_acknowledging_stops_the_timer(client: Client) -> None:
    policy = {
        **FAST_POLICY,
        "levels": [{**FAST_POLICY["levels"][0], "timeout_seconds": 2}, *FAST_POLICY["levels"][1:]],
    }
    assert client.api("PUT", "/api/settings/escalation-policy", json=policy).status_code == 200
    client.webhook(whatsapp_text("human please", customer="15550008888"))
    ticket = eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0]
    assignee = next(e for e, i in client.stack.users.items() if i == ticket["assignee"])
    assert client.api("POST", f"/api/tickets/{ticket['id']}/ack", as_user=assignee).status_code == 200
    time.sleep(3.5)  # longer than the level timeout: nothing may escalate
    events = [e["event"] for e in _events(client, ticket["id"])]
    assert "acknowledged" in events and "escalated" not in events and "reassigned" not in events
    assert client.api("GET", f"/api/tickets/{ticket['id']}").json()["assignee"] == ticket["assignee"]
