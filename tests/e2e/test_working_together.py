"""Issue 16, points 3, 4 and 6 through the API: internal notes never reach the customer, a hand-over
carries its note, suggested replies come from the KB entries closest to the question, and the test
notification is rate-limited per user."""

from __future__ import annotations

from tests.conftest import Client, eventually, whatsapp_text
from tests.e2e.workflows import handled


def _assigned(client: Client, customer: str, text: str = "I want to talk to a human") -> tuple[dict, str]:
    client.webhook(whatsapp_text(text, customer=customer))
    ticket = eventually(
        lambda: [t for t in client.tickets() if t["customer"]["id"] == customer and t["assignee"]]
    )[0]
    handled(client, customer)  # the acknowledgement is out: what the customer got so far is settled
    agent = next(e for e, i in client.stack.users.items() if i == ticket["assignee"])
    return ticket, agent


def test_an_internal_note_is_kept_on_the_ticket_and_never_sent(client: Client) -> None:
    ticket, agent = _assigned(client, "15550904001")
    sent_before = len(client.outbox()["messages"])
    path = f"/api/tickets/{ticket['id']}/notes"
    headers = {"Idempotency-Key": "note-1"}
    first = client.api("POST", path, as_user=agent, json={"text": " Customer is a VIP "}, headers=headers)
    again = client.api("POST", path, as_user=agent, json={"text": " Customer is a VIP "}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    notes = client.api("GET", path, as_user="admin@demo.test").json()["items"]
    assert [(n["text"], n["kind"]) for n in notes] == [("Customer is a VIP", "note")]
    detail = client.api("GET", f"/api/tickets/{ticket['id']}").json()
    assert all("VIP" not in (m["text"] or "") for m in detail["messages"])  # not in the conversation
    assert len(client.outbox()["messages"]) == sent_before  # nothing went to Meta
    blank = client.api("POST", path, as_user=agent, json={"text": "   "})
    assert blank.status_code == 400 and "blank" in blank.text


def test_a_hand_over_carries_its_note(client: Client) -> None:
    ticket, _ = _assigned(client, "15550904002")
    others = [e for e in ("alice@demo.test", "bob@demo.test") if client.agent_id(e) != ticket["assignee"]]
    target = client.agent_id(others[0])
    body = {"agent_id": target, "note": "Order 4417: check with the warehouse"}
    moved = client.api("POST", f"/api/tickets/{ticket['id']}/assign", json=body)
    assert moved.status_code == 200 and moved.json()["assignee"] == target
    assert client.api("POST", f"/api/tickets/{ticket['id']}/assign", json=body).status_code == 200  # a retry
    notes = client.api("GET", f"/api/tickets/{ticket['id']}/notes").json()["items"]
    assert [(n["text"], n["kind"]) for n in notes] == [("Order 4417: check with the warehouse", "handover")]


def test_suggested_replies_are_the_closest_kb_entries(client: Client) -> None:
    ticket, agent = _assigned(client, "15550904003", "I want to talk to a human, my package never arrived")
    items = client.api("GET", f"/api/tickets/{ticket['id']}/suggestions", as_user=agent).json()["items"]
    assert 1 <= len(items) <= 3
    assert items[0]["kb_id"] in {"kb-tracking", "kb-shipping"} and items[0]["answer"]


def test_the_test_notification_is_rate_limited_per_user(client: Client) -> None:
    assert client.api("POST", "/api/notifications/test", as_user="alice@demo.test").status_code == 200
    again = client.api("POST", "/api/notifications/test", as_user="alice@demo.test")
    assert again.status_code == 429 and again.json()["error"]["code"] == "rate_limited"
    assert client.api("POST", "/api/notifications/test", as_user="bob@demo.test").status_code == 200


def test_an_agent_takes_a_queued_ticket(client: Client) -> None:
    """Queued for the team leads (a rule) while Lee is away: Alice, online and free, takes it herself."""
    alice = client.agent_id("alice@demo.test")
    assert client.api("PUT", f"/api/agents/{client.agent_id('lead@demo.test')}", json={"status": "away"}).ok
    routing = client.api("GET", "/api/settings/routing").json()
    leads = {**routing, "rules": [{"when": {"reason": "agent_requested"}, "roles": ["team_lead"]}]}
    assert client.api("PUT", "/api/settings/routing", json=leads).status_code == 200
    client.webhook(whatsapp_text("I want to talk to a human", customer="15550904005"))
    ticket = eventually(
        lambda: [
            t for t in client.tickets() if any(h["event"] == "queued" for h in t["escalation"]["history"])
        ],
        timeout=15,
    )[0]
    assert client.api("PUT", "/api/me/status", as_user="carol@demo.test", json={"status": "away"}).ok
    away = client.api("POST", f"/api/tickets/{ticket['id']}/take", as_user="carol@demo.test")
    assert away.status_code == 409 and away.json()["error"]["code"] == "agent_unavailable"
    taken = client.api("POST", f"/api/tickets/{ticket['id']}/take", as_user="alice@demo.test")
    assert taken.status_code == 200 and taken.json()["assignee"] == alice
    again = client.api("POST", f"/api/tickets/{ticket['id']}/take", as_user="alice@demo.test")
    assert again.status_code == 200  # a retry: still hers
    other = client.api("POST", f"/api/tickets/{ticket['id']}/take", as_user="bob@demo.test")
    assert other.status_code == 409 and other.json()["error"]["code"] == "taken"
    agents = {a["id"]: a["open_tickets"] for a in client.api("GET", "/api/agents").json()["items"]}
    assert agents[alice] == 1 and sum(agents.values()) == 1
