"""Routing, load balancing, escalation paths, business hours and notifications on the local stack."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from liveagent.agents import AgentModel
from liveagent.settings import WEEKDAYS
from tests.conftest import Client, eventually, whatsapp_text
from tests.e2e.workflows import parked


def _status(client: Client, email: str, status: str) -> None:
    response = client.api("PUT", f"/api/agents/{client.agent_id(email)}", json={"status": status})
    assert response.status_code == 200, response.text


def _escalate(client: Client, customer: str, text: str = "I want to talk to a human") -> dict:
    client.webhook(whatsapp_text(text, customer=customer))

    def assigned() -> dict | None:
        found = [t for t in client.tickets() if t["customer"]["id"] == customer and t["status"] != "closed"]
        return found[0] if found and found[0]["assignee"] else None

    return eventually(assigned)


def test_department_by_keyword_and_an_offline_primary_is_skipped(client: Client) -> None:
    _status(client, "lead@demo.test", "away")  # carol is then the only billing agent online
    ticket = _escalate(client, "15550400001", "I need someone to fix the invoice for my subscription")
    assert ticket["department"] == "billing" and ticket["assignee"] == client.agent_id("carol@demo.test")
    assert any(e["event"] == "routed" and e.get("keyword") for e in ticket["escalation"]["history"])
    _status(client, "carol@demo.test", "offline")
    _status(client, "lead@demo.test", "online")
    second = _escalate(client, "15550400002", "I need someone about a charge on my card")
    assert second["assignee"] == client.agent_id("lead@demo.test")


def test_role_rules_narrow_the_candidates(client: Client) -> None:
    rules = client.api("GET", "/api/settings/routing").json()
    rules["rules"] = [{"when": {"reason": "complaint"}, "roles": ["team_lead"]}]
    assert client.api("PUT", "/api/settings/routing", json=rules).status_code == 200
    ticket = _escalate(client, "15550400003", "Your app is terrible and unacceptable, nobody is helping me")
    assert ticket["reason"] == "complaint" and ticket["assignee"] == client.agent_id("lead@demo.test")
    assert ticket["assignment_audit"][0]["roles"] == ["team_lead"]


def test_round_robin_ignores_load_least_loaded_does_not(client: Client) -> None:
    _status(client, "lead@demo.test", "away")
    routing = client.api("GET", "/api/settings/routing").json()
    assert (
        client.api("PUT", "/api/settings/routing", json={**routing, "strategy": "round_robin"}).status_code
        == 200
    )
    first = _escalate(client, "15550400004")
    second = _escalate(client, "15550400005")
    assert {first["assignee"], second["assignee"]} == {
        client.agent_id("alice@demo.test"),
        client.agent_id("bob@demo.test"),
    }
    assert client.api("POST", f"/api/tickets/{second['id']}/close").status_code == 200
    # The second agent now has no open ticket, yet round robin goes to the one assigned longest ago.
    third = _escalate(client, "15550400006")
    assert third["assignee"] == first["assignee"]
    assert third["assignment_audit"][0]["strategy"] == "round_robin"


def test_a_returning_customer_goes_back_to_the_same_agent_within_a_day(client: Client) -> None:
    _status(client, "lead@demo.test", "away")
    first = _escalate(client, "15550400007")
    assert client.api("POST", f"/api/tickets/{first['id']}/close").status_code == 200
    other = _escalate(client, "15550400008")  # goes to the other agent (assigned longest ago)
    third = _escalate(client, "15550400009")  # back to the first agent: both now hold one ticket
    assert other["assignee"] != first["assignee"] and third["assignee"] == first["assignee"]
    returning = _escalate(client, "15550400007")
    assert returning["assignee"] == first["assignee"]
    assert returning["assignment_audit"][0]["rule"] == "sticky"


def test_the_ladder_repeats_then_flags_and_reply_stops_it(client: Client) -> None:
    policy = {"levels": [{"target": "assignee", "timeout_seconds": 1}, {"target": "role:team_lead", "timeout_seconds": 1}],
              "repeat": 1}  # fmt: skip
    assert client.api("PUT", "/api/settings/escalation-policy", json=policy).status_code == 200
    ticket = _escalate(client, "15550400010")

    def finished() -> list | None:
        events = client.api("GET", f"/api/tickets/{ticket['id']}").json()["escalation"]["history"]
        return events if any(e["event"] == "unattended" for e in events) else None

    history = eventually(finished, timeout=12)
    climbs = [(e["level"], e["round"]) for e in history if e["event"] == "escalated"]
    assert climbs == [(1, 0), (1, 1)]
    assert eventually(lambda: [e for e in client.outbox()["emails"]
                               if "admin@demo.test" in e["to"] and "unattended" in e["subject"].lower()])  # fmt: skip

    replied = _escalate(client, "15550400011")
    agent = next(e for e, i in client.stack.users.items() if i == replied["assignee"])
    assert (
        client.api(
            "POST", f"/api/tickets/{replied['id']}/reply", as_user=agent, json={"text": "Hi!"}
        ).status_code
        == 201
    )
    # Parked without a timer after the reply: nothing can escalate from there.
    assert "NextLevel" not in parked(client, replied["id"], "AwaitWhileAttended")
    events = [
        e["event"] for e in client.api("GET", f"/api/tickets/{replied['id']}").json()["escalation"]["history"]
    ]
    assert "escalated" not in events


def test_outside_business_hours_the_customer_hears_when_we_open_and_alerts_wait(client: Client) -> None:
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    hours = {"timezone": "UTC", "hours": {WEEKDAYS[tomorrow.weekday()]: [["09:00", "10:00"]]}, "holidays": [],
             "offline_message": "We're closed right now."}  # fmt: skip
    assert client.api("PUT", "/api/settings/business-hours", json=hours).status_code == 200
    client.webhook(whatsapp_text("I want to talk to a human", customer="15550400012"))
    offline = eventually(lambda: [m for m in client.outbox()["messages"] if m["to"] == "15550400012"])
    assert (
        offline[0]["text"].startswith("We're closed right now. We open again")
        and "09:00 (UTC)" in offline[0]["text"]
    )
    ticket = eventually(lambda: client.tickets())[0]
    queued = eventually(lambda: [e for e in client.api("GET", f"/api/tickets/{ticket['id']}").json()["escalation"]["history"]
                                 if e["event"] == "queued_until_open"])  # fmt: skip
    assert queued[0]["until"].startswith(tomorrow.strftime("%Y-%m-%dT09:00"))
    # The workflow waits for the opening time: nothing is assigned or sent before then.
    assert "Assign" not in parked(client, ticket["id"], "WaitUntilOpen")
    assert client.api("GET", f"/api/tickets/{ticket['id']}").json()["assignee"] is None
    assert client.outbox()["emails"] == []


def test_alert_contents_and_one_failing_channel_does_not_stop_the_others(client: Client) -> None:
    for email in ("bob@demo.test", "lead@demo.test"):
        _status(client, email, "away")
    alice = AgentModel.get("demo", client.agent_id("alice@demo.test"))
    alice.update(actions=[AgentModel.phone.set("not-a-phone")])  # SNS refuses it
    ticket = _escalate(client, "15550400013", "talk to a human please, my order 1234 is missing")
    email = eventually(lambda: [e for e in client.outbox()["emails"] if "alice@demo.test" in e["to"]])[0]
    assert email["subject"] == "New ticket: Customer asked for a person"
    assert "my order 1234 is missing" in email["body"] and ticket["id"] in email["body"]
    note = eventually(
        lambda: client.api("GET", "/api/notifications", as_user="alice@demo.test").json()["items"]
    )[0]
    assert note["deliveries"]["email"] == "sent" and note["deliveries"]["sms"].startswith("failed")
    assert client.outbox()["sms"] == []


def test_notification_self_test_reports_each_channel(client: Client) -> None:
    report = client.api("POST", "/api/notifications/test", as_user="carol@demo.test").json()
    assert report["deliveries"] == {"email": "sent", "sms": "sent", "in_app": "stored"}
    assert report["sender_verified"] is True
    assert any("carol@demo.test" in e["to"] for e in client.outbox()["emails"])
    assert client.outbox()["sms"][-1]["to"] == "+15550100003"


def test_fifty_concurrent_escalations_three_agents_of_capacity_five(client: Client) -> None:
    for email in ("alice@demo.test", "bob@demo.test", "lead@demo.test"):
        assert (
            client.api("PUT", f"/api/agents/{client.agent_id(email)}", json={"capacity": 5}).status_code
            == 200
        )
    customers = [f"155506{n:05d}" for n in range(50)]
    # Concurrency here tests atomicity, not speed: the whole local stack shares one Python process.
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(
            pool.map(
                lambda c: client.webhook(whatsapp_text("agent please", customer=c), timeout=60).status_code,
                customers,
            )
        )
    assert codes == [200] * 50

    def settled() -> list[dict] | None:
        found = _all_tickets(client)
        done = all(
            any(e["event"] in ("assigned", "queued") for e in t["escalation"]["history"]) for t in found
        )
        return found if len(found) == 50 and done else None

    tickets = eventually(settled, timeout=180, interval=1.0)
    assigned = [t for t in tickets if t["assignee"]]
    assert len(assigned) == 15 and len(tickets) - len(assigned) == 35
    agents = {a["id"]: a for a in client.api("GET", "/api/agents").json()["items"]}
    assert all(
        agents[client.agent_id(e)]["open_tickets"] == 5
        for e in ("alice@demo.test", "bob@demo.test", "lead@demo.test")
    )
    waiting = sorted((t for t in tickets if not t["assignee"]), key=lambda t: t["id"])
    for closed in assigned[:2]:
        assert client.api("POST", f"/api/tickets/{closed['id']}/close").status_code == 200
    waiting_ids = {w["id"] for w in waiting}

    def taken_from_queue() -> set[str] | None:
        taken = {t["id"] for t in _all_tickets(client) if t["id"] in waiting_ids and t["assignee"]}
        return taken if len(taken) == 2 else None

    taken = eventually(taken_from_queue, timeout=120, interval=1.0)
    assert taken == {waiting[0]["id"], waiting[1]["id"]}  # the oldest waiting tickets first


def _all_tickets(client: Client) -> list[dict]:
    return client.tickets(limit="100")


def test_hand_over_moves_the_ticket_and_the_counters_and_new_messages_reach_the_assignee(
    client: Client,
) -> None:
    _status(client, "lead@demo.test", "away")
    ticket = _escalate(client, "15550400014")
    owner = next(e for e, i in client.stack.users.items() if i == ticket["assignee"])
    other = "bob@demo.test" if owner == "alice@demo.test" else "alice@demo.test"
    # An agent who does not own the ticket cannot hand it over; its owner can.
    refused = client.api(
        "POST",
        f"/api/tickets/{ticket['id']}/assign",
        as_user=other,
        json={"agent_id": client.agent_id(other)},
    )
    assert refused.status_code == 403
    moved = client.api(
        "POST",
        f"/api/tickets/{ticket['id']}/assign",
        as_user=owner,
        json={"agent_id": client.agent_id(other)},
    )
    assert moved.status_code == 200 and moved.json()["assignee"] == client.agent_id(other)
    agents = {a["email"]: a for a in client.api("GET", "/api/agents").json()["items"]}
    assert agents[owner]["open_tickets"] == 0 and agents[other]["open_tickets"] == 1
    assert any(e["event"] == "handed_over" for e in moved.json()["escalation"]["history"])
    # The new owner is told (level 0 restarts for them), and hears about the customer's next message.
    client.webhook(whatsapp_text("any news on this?", customer="15550400014"))
    notes = eventually(lambda: [n for n in client.api("GET", "/api/notifications", as_user=other).json()["items"]
                                if n["kind"] == "customer_message"])  # fmt: skip
    assert notes[0]["body"] == "any news on this?" and notes[0]["ticket_id"] == ticket["id"]
