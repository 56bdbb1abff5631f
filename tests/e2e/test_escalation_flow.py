"""One escalation through everything, on the real state machines (CONTRACT.md section 6)."""

from __future__ import annotations

from tests.conftest import DEMO_IG, DEMO_WA, Client, eventually, instagram_text, whatsapp_text
from tests.e2e.workflows import handled


def _ticket_for(client: Client, customer_id: str) -> dict:
    return eventually(lambda: next((t for t in client.tickets() if t["customer"]["id"] == customer_id), None))


def test_whatsapp_agent_request_opens_assigns_acknowledges_notifies_then_reply_and_close(
    client: Client,
) -> None:
    response = client.webhook(
        whatsapp_text("I want to talk to a human", customer="15557654321", name="Maria")
    )
    assert response.status_code == 200

    ticket = _ticket_for(client, "15557654321")
    assert ticket["status"] == "requested"
    assert ticket["reason"] == "agent_requested"
    assert ticket["customer"] == {"id": "15557654321", "name": "Maria"}
    assert ticket["triggers"][0]["type"] == "agent_requested"
    tech = {client.agent_id(e) for e in ("alice@demo.test", "bob@demo.test", "lead@demo.test")}
    ticket = eventually(
        lambda: next((t for t in client.tickets() if t["id"] == ticket["id"] and t["assignee"]), None)
    )
    assert ticket["assignee"] in tech
    assignee_email = next(e for e, i in client.stack.users.items() if i == ticket["assignee"])

    # The customer hears back on the same channel, from the same business number.
    ack = eventually(lambda: [m for m in client.outbox()["messages"] if m["to"] == "15557654321"])
    assert ack[0]["channel"] == "whatsapp" and ack[0]["from"] == DEMO_WA
    assert "connecting you" in ack[0]["text"]

    # The assignee is told by email, SMS and in-app (all on for demo agents).
    emails = eventually(lambda: [e for e in client.outbox()["emails"] if assignee_email in e["to"]])
    assert ticket["id"] in emails[0]["body"]
    assert eventually(lambda: client.outbox()["sms"])
    # In-app last (after email and SMS, with each channel's outcome on it): wait for it to be stored.
    notes = eventually(
        lambda: (n := client.api("GET", "/api/notifications", as_user=assignee_email).json())["items"] and n
    )
    assert notes["unread"] == 1 and notes["items"][0]["ticket_id"] == ticket["id"]
    assert len(client.tickets()) == 1  # exactly one ticket

    reply = client.api(
        "POST",
        f"/api/tickets/{ticket['id']}/reply",
        as_user=assignee_email,
        json={"text": "Hi Maria, Bob here. How can I help?"},
    )
    assert reply.status_code == 201, reply.text
    sent = [m for m in client.outbox()["messages"] if m["text"] == "Hi Maria, Bob here. How can I help?"]
    assert sent and sent[0]["to"] == "15557654321" and sent[0]["request"]["type"] == "text"
    detail = client.api("GET", f"/api/tickets/{ticket['id']}").json()
    assert detail["status"] == "answered" and detail["first_response_at"]
    assert [m["from"] for m in detail["messages"]] == ["customer", "bot", "agent"]
    assert detail["messages"][-1]["delivery"] == "sent"

    closed = client.api("POST", f"/api/tickets/{ticket['id']}/close", as_user=assignee_email)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert (
        client.api(
            "POST", f"/api/tickets/{ticket['id']}/reply", as_user=assignee_email, json={"text": "late"}
        ).status_code
        == 409
    )
    me = client.api("GET", "/api/agents").json()["items"]
    assert next(a for a in me if a["id"] == ticket["assignee"])["open_tickets"] == 0


def test_instagram_agent_request_round_trip(client: Client) -> None:
    assert (
        client.webhook(instagram_text("can I speak to a real person please", sender="IGSID-42")).status_code
        == 200
    )
    ticket = _ticket_for(client, "IGSID-42")
    assert ticket["channel"] == "instagram" and ticket["reason"] == "agent_requested"
    ack = eventually(lambda: [m for m in client.outbox()["messages"] if m["to"] == "IGSID-42"])
    assert ack[0]["channel"] == "instagram" and ack[0]["from"] == DEMO_IG
    assert ack[0]["request"]["recipient"] == {"id": "IGSID-42"}
    ticket = eventually(
        lambda: next((t for t in client.tickets() if t["id"] == ticket["id"] and t["assignee"]), None)
    )
    assignee_email = next(e for e, i in client.stack.users.items() if i == ticket["assignee"])
    assert eventually(lambda: [e for e in client.outbox()["emails"] if assignee_email in e["to"]])

    reply = client.api(
        "POST",
        f"/api/tickets/{ticket['id']}/reply",
        as_user=assignee_email,
        json={"text": "Hello from the team"},
    )
    assert reply.status_code == 201, reply.text
    sent = client.outbox()["messages"][-1]
    assert sent["channel"] == "instagram" and sent["request"] == {
        "recipient": {"id": "IGSID-42"},
        "message": {"text": "Hello from the team"},
    }
    assert client.api("GET", f"/api/tickets/{ticket['id']}").json()["status"] == "answered"
    assert client.api("POST", f"/api/tickets/{ticket['id']}/close").json()["status"] == "closed"


def test_kb_answerable_message_gets_the_answer_and_no_ticket(client: Client) -> None:
    client.webhook(whatsapp_text("how long does delivery take?", customer="15550001111"))
    answer = eventually(lambda: [m for m in client.outbox()["messages"] if m["to"] == "15550001111"])
    assert "2-4 business days" in answer[0]["text"]
    assert client.tickets() == []


def test_messages_join_the_open_ticket_and_the_bot_stays_silent(client: Client) -> None:
    client.webhook(whatsapp_text("agent please", customer="15552223333"))
    ticket = _ticket_for(client, "15552223333")
    eventually(lambda: [m for m in client.outbox()["messages"] if m["to"] == "15552223333"])
    # A KB-answerable question while the ticket is open: no bot answer, it joins the ticket.
    client.webhook(whatsapp_text("what are your opening hours?", customer="15552223333"))

    def joined() -> list[dict]:
        messages = client.api("GET", f"/api/tickets/{ticket['id']}").json()["messages"]
        return [m for m in messages if m["text"].startswith("what are") and m["ticket_id"] == ticket["id"]]

    assert eventually(joined)
    handled(client, "15552223333", count=2)  # its message workflow has ended: nothing more can be sent
    outbound = [m for m in client.outbox()["messages"] if m["to"] == "15552223333"]
    assert len(outbound) == 1  # only the acknowledgement
    assert len(client.tickets()) == 1


def test_after_close_the_bot_answers_again(client: Client) -> None:
    client.webhook(whatsapp_text("human please", customer="15554445555"))
    ticket = _ticket_for(client, "15554445555")
    eventually(lambda: client.api("GET", f"/api/tickets/{ticket['id']}").json()["assignee"])
    assert client.api("POST", f"/api/tickets/{ticket['id']}/close").status_code == 200
    client.webhook(whatsapp_text("which payment methods do you accept?", customer="15554445555"))
    assert eventually(lambda: [m for m in client.outbox()["messages"] if "PayPal" in (m["text"] or "")])
    assert len(client.tickets(include_closed="true")) == 1  # no new ticket: the closed one only
