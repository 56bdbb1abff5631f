"""Nothing silent: a bot message Meta will not take is retried later, then handed to a person (an admin
alert and the Deliveries list, with resend); Meta's answer that never came is settled, never resent."""

from __future__ import annotations

from liveagent.conversations import MessageModel, conversation_id_for
from tests.conftest import DEMO_WA, Client, eventually, whatsapp_text
from tests.e2e.workflows import handled

KB_QUESTION = "How long does delivery take?"


def _bot(customer: str) -> list[MessageModel]:
    return [
        m
        for m in MessageModel.query(conversation_id_for("demo", "whatsapp", DEMO_WA, customer))
        if m.sender == "bot"
    ]


def test_an_answer_meta_is_briefly_unavailable_for_is_retried_later_and_arrives(client: Client) -> None:
    client.arm({"graph": {"status": 503, "times": 3}})  # every try of the first attempt
    client.webhook(whatsapp_text(KB_QUESTION, customer="15551400001"))
    handled(client, "15551400001", timeout=60)
    (answer,) = _bot("15551400001")
    assert answer.delivery == "sent"
    assert [m for m in client.outbox()["messages"] if m["to"] == "15551400001"]
    assert client.api("GET", "/api/deliveries/attention").json()["items"] == []


def test_an_answer_meta_keeps_refusing_reaches_a_person_who_resends_it(client: Client) -> None:
    client.arm({"graph": {"status": 503, "times": 9}})  # three tries in each of the three attempts
    client.webhook(whatsapp_text(KB_QUESTION, customer="15551400002", name="Rita"))
    (message,) = handled(client, "15551400002", timeout=90)
    assert message.state == "handled"  # the conversation goes on; the answer waits for a person
    (answer,) = _bot("15551400002")
    assert answer.delivery == "failed" and "503" in answer.delivery_error
    items = client.api("GET", "/api/deliveries/attention", as_user="alice@demo.test").json()["items"]
    assert [(i["customer"]["id"], i["from"], i["delivery"]) for i in items] == [
        ("15551400002", "bot", "failed")
    ]
    notes = client.api("GET", "/api/notifications", as_user="admin@demo.test").json()["items"]
    assert [n["title"] for n in notes if n["kind"] == "delivery_failed"] == [
        "Not delivered to Rita: the bot answer"
    ]
    resent = client.api("POST", f"/api/deliveries/{items[0]['id']}/resend", as_user="alice@demo.test")
    assert resent.status_code == 201 and resent.json()["delivery"] == "sent"
    again = client.api("POST", f"/api/deliveries/{items[0]['id']}/resend", as_user="alice@demo.test")
    assert again.status_code == 201 and again.json()["id"] == resent.json()["id"]  # a retry sends once
    sent = [m for m in client.outbox()["messages"] if m["to"] == "15551400002"]
    assert len(sent) == 1 and sent[0]["text"].startswith("Standard delivery")
    assert client.api("GET", "/api/deliveries/attention").json()["items"] == []


def test_a_message_meta_will_never_take_goes_to_a_person_at_once(client: Client) -> None:
    client.arm({"graph": {"error_code": 131026, "times": 1}})  # undeliverable: no retry would help
    client.webhook(whatsapp_text(KB_QUESTION, customer="15551400003"))
    handled(client, "15551400003")
    items = eventually(lambda: client.api("GET", "/api/deliveries/attention").json()["items"])
    assert items[0]["delivery"] == "failed" and "131026" in items[0]["delivery_error"]
    dismissed = client.api("POST", f"/api/deliveries/{items[0]['id']}/dismiss")
    assert dismissed.status_code == 200 and dismissed.json()["delivery"] == "failed"
    assert client.api("GET", "/api/deliveries/attention").json()["items"] == []
    other = client.api("POST", "/api/deliveries/bm90LWEtbWVzc2FnZQ/resend")
    assert other.status_code == 404


def test_a_delivery_id_that_is_not_ours_is_not_found(client: Client) -> None:
    """Found by the schemathesis run: a non-ASCII id was a 500."""
    for delivery in ("%C3%ACx", "not-base64!", "AAAA"):
        for action in ("resend", "dismiss"):
            answer = client.api("POST", f"/api/deliveries/{delivery}/{action}")
            assert answer.status_code == 404, (delivery, action, answer.text)
