"""One rating question when a ticket closes; the customer's tap is stored and counted."""

from __future__ import annotations

from tests.conftest import DEMO_WA, Client, eventually, instagram_text, whatsapp_text


def _button_tap(customer: str, button_id: str, title: str) -> dict:
    payload = whatsapp_text("", customer=customer)
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message.pop("text")
    message.update(
        type="interactive",
        interactive={"type": "button_reply", "button_reply": {"id": button_id, "title": title}},
    )
    return payload


def test_closing_asks_for_a_rating_and_the_answer_is_stored_and_counted(client: Client) -> None:
    client.webhook(whatsapp_text("I want to talk to a human", customer="15550910001"))
    ticket = eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0]
    assert client.api("POST", f"/api/tickets/{ticket['id']}/close").status_code == 200
    question = client.outbox()["messages"][-1]
    assert question["from"] == DEMO_WA and question["type"] == "interactive"
    buttons = question["request"]["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == [f"csat:{ticket['id']}:good", f"csat:{ticket['id']}:bad"]

    before = len(client.outbox()["messages"])
    assert client.webhook(_button_tap("15550910001", buttons[0]["reply"]["id"], "👍 Good")).status_code == 200
    rated = eventually(lambda: client.api("GET", f"/api/tickets/{ticket['id']}").json()["satisfaction"])
    assert rated == "good"
    # A tap is an answer, not a new question: no ticket, no bot reply.
    assert len(client.tickets(include_closed="true")) == 1 and len(client.outbox()["messages"]) == before
    summary = client.api("GET", "/api/analytics/summary?days=1").json()
    assert summary["satisfaction"] == {"responses": 1, "good_ratio": 1.0}


def test_a_rating_for_someone_elses_ticket_is_ignored_and_the_setting_turns_it_off(client: Client) -> None:
    client.webhook(instagram_text("can I speak to a person", sender="IGSID-CSAT"))
    ticket = eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0]
    off = client.api(
        "PUT", "/api/settings/satisfaction", json={"enabled": False, "question": "How did we do?"}
    )
    assert off.status_code == 200
    before = len(client.outbox()["messages"])
    assert client.api("POST", f"/api/tickets/{ticket['id']}/close").status_code == 200
    assert len(client.outbox()["messages"]) == before  # no question when turned off
    client.webhook(_button_tap("15550910009", f"csat:{ticket['id']}:bad", "👎"))  # another customer
    # Not a rating for their own ticket: an ordinary message (an emoji: small talk, answered by the bot).
    assert eventually(lambda: [m for m in client.outbox()["messages"] if m["to"] == "15550910009"])
    assert client.api("GET", f"/api/tickets/{ticket['id']}").json()["satisfaction"] is None
    assert len(client.tickets(include_closed="true")) == 1
