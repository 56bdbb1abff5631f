"""Escalation paths with second-scale timeouts from settings (no sleeps in the code under test)."""

from __future__ import annotations

from tests.conftest import Client, eventually, whatsapp_text
from tests.e2e.workflows import parked

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
    lead, admin, alice = (client.agent_id(f"{n}@demo.test") for n in ("lead", "admin", "alice"))
    # Alice is the only tech agent free when the ticket arrives; the lead comes online afterwards.
    for email, status in (("bob@demo.test", "offline"), ("lead@demo.test", "away")):
        changed = client.api("PUT", f"/api/agents/{client.agent_id(email)}", json={"status": status})
        assert changed.status_code == 200 and changed.json()["status"] == status, changed.text
    client.webhook(whatsapp_text("can I talk to a person", customer="15550009999"))
    ticket = eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0]
    assert ticket["assignee"] == alice
    assert client.api("PUT", f"/api/agents/{lead}", json={"status": "online"}).status_code == 200

    def finished() -> list[dict] | None:
        events = _events(client, ticket["id"])
        return events if any(e["event"] == "unattended" for e in events) else None

    history = eventually(finished, timeout=10)
    assert [(e["level"], e["event"]) for e in history] == [
        (0, "created"),
        (0, "assigned"),
        (1, "reassigned"),
        (2, "escalated"),
        (2, "unattended"),
    ]
    assert history[1]["to"] == alice and history[2]["to"] == lead and history[3]["targets"] == [admin]
    detail = client.api("GET", f"/api/tickets/{ticket['id']}").json()
    assert detail["assignee"] == lead and detail["escalation"]["unattended"] is True
    assert detail["escalation"]["level"] == 2

    # The lead and the admin were told, by email too.
    emails = client.outbox()["emails"]
    assert any("lead@demo.test" in e["to"] and "reassigned to you" in e["subject"] for e in emails)
    assert any("admin@demo.test" in e["to"] and "level 2" in e["subject"] for e in emails)
    # Alice's capacity went back when the lead took over.
    agents = {a["id"]: a for a in client.api("GET", "/api/agents").json()["items"]}
    assert agents[lead]["open_tickets"] == 1 and agents[alice]["open_tickets"] == 0


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
    # The workflow waits without a timer from then on (only a hand-over or the close wake it): nothing
    # can escalate once it is parked there.
    entered = parked(client, ticket["id"], "AwaitWhileAttended")
    assert "NextLevel" not in entered
    events = [e["event"] for e in _events(client, ticket["id"])]
    assert "acknowledged" in events and "escalated" not in events and "reassigned" not in events
    assert client.api("GET", f"/api/tickets/{ticket['id']}").json()["assignee"] == ticket["assignee"]
