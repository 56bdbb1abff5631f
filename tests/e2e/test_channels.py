"""Meta channels in and out, through the local stack (issue 3)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import boto3
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveagent import conversations
from liveagent.channels.models import StatusUpdate
from liveagent.conversations import HEADER_KEY, ConversationModel, MessageModel
from liveagent.ids import iso, utc_now
from tests.conftest import APP_SECRET, DEMO_WA, FIXTURES, Client, eventually, instagram_text, whatsapp_text
from tests.e2e.workflows import handled, inbound_drained


def _open_ticket(client: Client, payload: dict, customer: str) -> tuple[dict, str]:
    client.webhook(payload)
    ticket = eventually(
        lambda: [t for t in client.tickets() if t["customer"]["id"] == customer and t["assignee"]]
    )[0]
    eventually(lambda: [m for m in client.outbox()["messages"] if m["to"] == customer])  # the acknowledgement
    return ticket, next(e for e, i in client.stack.users.items() if i == ticket["assignee"])


def _conversation_id(channel: str, account: str, customer: str) -> str:
    return conversations.conversation_id_for("demo", channel, account, customer)


def _set_last_customer_at(conversation_id: str, age: timedelta) -> None:
    ConversationModel(conversation_id, HEADER_KEY).update(
        actions=[ConversationModel.last_customer_at.set(iso(utc_now() - age))]
    )


def _reply(client: Client, ticket: dict, agent: str, **body) -> requests.Response:
    return client.api("POST", f"/api/tickets/{ticket['id']}/reply", as_user=agent, json=body)


def test_whatsapp_reply_text_template_and_context_bodies_are_exactly_metas(client: Client) -> None:
    ticket, agent = _open_ticket(
        client, whatsapp_text("agent please", customer="15550100100", message_id="wamid.Q1"), "15550100100"
    )
    conversation = _conversation_id("whatsapp", DEMO_WA, "15550100100")
    reply = _reply(client, ticket, agent, text="On it!", reply_to="in#wamid.Q1")
    assert reply.status_code == 201
    # biz_opaque_callback_data: Meta echoes it in every status of the message (our reference to it).
    assert client.outbox()["messages"][-1]["request"] == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "15550100100", "type": "text",
        "text": {"preview_url": False, "body": "On it!"}, "context": {"message_id": "wamid.Q1"},
        "biz_opaque_callback_data": f"{conversation}|{reply.json()['id']}",
    }  # fmt: skip
    components = [{"type": "body", "parameters": [{"type": "text", "text": "Maria"}]}]
    template = {"name": "order_update", "language": "en_US", "components": components}
    reply = _reply(client, ticket, agent, template=template)
    assert reply.status_code == 201
    assert client.outbox()["messages"][-1]["request"] == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "15550100100", "type": "template",
        "template": {"name": "order_update", "language": {"code": "en_US"}, "components": components},
        "biz_opaque_callback_data": f"{conversation}|{reply.json()['id']}",
    }  # fmt: skip
    sent = client.outbox()["messages"][-1]
    detail = client.api("GET", f"/api/tickets/{ticket['id']}").json()
    stored = MessageModel.get(
        _conversation_id("whatsapp", DEMO_WA, "15550100100"), detail["messages"][-1]["id"]
    )
    assert stored.graph_message_id == sent["id"]  # kept to match later status webhooks


def test_whatsapp_window_closed_is_409_before_calling_meta_and_templates_still_go(client: Client) -> None:
    ticket, agent = _open_ticket(client, whatsapp_text("human please", customer="15550100101"), "15550100101")
    _set_last_customer_at(_conversation_id("whatsapp", DEMO_WA, "15550100101"), timedelta(hours=25))
    before = len(client.outbox()["messages"])
    response = _reply(client, ticket, agent, text="Sorry for the wait")
    assert response.status_code == 409 and response.json()["error"]["code"] == "window_closed"
    assert len(client.outbox()["messages"]) == before
    assert _reply(client, ticket, agent, template={"name": "follow_up", "language": "en"}).status_code == 201


def test_instagram_human_agent_tag_between_24_hours_and_7_days_then_409(client: Client) -> None:
    ticket, agent = _open_ticket(client, instagram_text("talk to a person", sender="IGSID-700"), "IGSID-700")
    conversation_id = _conversation_id("instagram", "17841400000000001", "IGSID-700")
    assert _reply(client, ticket, agent, text="Hello!").status_code == 201
    assert client.outbox()["messages"][-1]["request"] == {
        "recipient": {"id": "IGSID-700"},
        "message": {"text": "Hello!"},
    }
    _set_last_customer_at(conversation_id, timedelta(days=3))
    assert _reply(client, ticket, agent, text="Following up").status_code == 201
    assert client.outbox()["messages"][-1]["request"] == {
        "recipient": {"id": "IGSID-700"}, "message": {"text": "Following up"},
        "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT",
    }  # fmt: skip
    _set_last_customer_at(conversation_id, timedelta(days=8))
    late = _reply(client, ticket, agent, text="Still there?")
    assert late.status_code == 409 and late.json()["error"]["code"] == "window_closed"


def test_graph_503s_are_retried_then_succeed(client: Client) -> None:
    ticket, agent = _open_ticket(client, whatsapp_text("human please", customer="15550100102"), "15550100102")
    requests.post(f"{client.base}/local/faults", json={"graph": {"status": 503, "times": 2}})
    response = _reply(client, ticket, agent, text="Third time lucky")
    assert response.status_code == 201 and response.json()["delivery"] == "sent"
    assert [m["text"] for m in client.outbox()["messages"]].count("Third time lucky") == 1


def test_graph_still_failing_is_502_and_the_message_is_kept_as_failed(client: Client) -> None:
    ticket, agent = _open_ticket(client, whatsapp_text("human please", customer="15550100103"), "15550100103")
    requests.post(f"{client.base}/local/faults", json={"graph": {"status": 503, "times": 3}})
    response = _reply(client, ticket, agent, text="Will this arrive?")
    assert response.status_code == 502 and response.json()["error"]["code"] == "channel_error"
    last = client.api("GET", f"/api/tickets/{ticket['id']}").json()["messages"][-1]
    assert (last["text"], last["delivery"]) == ("Will this arrive?", "failed") and "503" in last[
        "delivery_error"
    ]


def test_meta_131047_is_window_closed_and_131026_is_not_retried(client: Client) -> None:
    ticket, agent = _open_ticket(client, whatsapp_text("human please", customer="15550100104"), "15550100104")
    requests.post(f"{client.base}/local/faults", json={"graph": {"error_code": 131047, "times": 1}})
    response = _reply(client, ticket, agent, text="Hello?")
    assert response.status_code == 409 and response.json()["error"]["code"] == "window_closed"
    requests.post(f"{client.base}/local/faults", json={"graph": {"error_code": 131026, "times": 2}})
    first = _reply(client, ticket, agent, text="Undeliverable 1")
    assert first.status_code == 502 and "131026" in first.json()["error"]["message"]
    assert (
        _reply(client, ticket, agent, text="Undeliverable 2").status_code == 502
    )  # the 2nd fault was unused
    assert _reply(client, ticket, agent, text="Delivered").status_code == 201
    messages = client.api("GET", f"/api/tickets/{ticket['id']}").json()["messages"]
    assert [m["delivery"] for m in messages if m["from"] == "agent"] == ["failed", "failed", "failed", "sent"]


def test_long_replies_are_split_in_order(client: Client) -> None:
    ticket, agent = _open_ticket(client, whatsapp_text("human please", customer="15550100105"), "15550100105")
    text = " ".join(f"Step {i}: do the thing carefully." for i in range(200))  # ~6,600 characters
    response = _reply(client, ticket, agent, text=text)
    assert response.status_code == 201 and len(response.json()["parts"]) == 2
    sent = [m["text"] for m in client.outbox()["messages"] if m["to"] == "15550100105"][1:]
    assert len(sent) == 2 and all(len(t) <= 4096 for t in sent) and " ".join(sent) == text


def _status_payload(graph_id: str, status: str, customer: str, **extra) -> dict:
    return {"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550000001", "phone_number_id": DEMO_WA},
        "statuses": [{"id": graph_id, "status": status, "timestamp": "1764250000", "recipient_id": customer, **extra}]}}]}]}  # fmt: skip


def test_delivery_statuses_never_move_backwards_and_failures_keep_metas_code(client: Client) -> None:
    ticket, agent = _open_ticket(client, whatsapp_text("human please", customer="15550100106"), "15550100106")
    assert _reply(client, ticket, agent, text="Status check").status_code == 201
    graph_id = client.outbox()["messages"][-1]["id"]
    for status in ("delivered", "sent", "read", "delivered"):
        assert client.webhook(_status_payload(graph_id, status, "15550100106")).status_code == 200
    inbound_drained(client)  # the reports are handled behind the webhook's queue, in order
    last = client.api("GET", f"/api/tickets/{ticket['id']}").json()["messages"][-1]
    assert last["delivery"] == "read"
    ack_id = next(m["id"] for m in client.outbox()["messages"] if m["to"] == "15550100106")
    error = {"errors": [{"code": 131026, "title": "Message undeliverable"}]}
    client.webhook(_status_payload(ack_id, "failed", "15550100106", **error))
    inbound_drained(client)
    ack = next(
        m for m in client.api("GET", f"/api/tickets/{ticket['id']}").json()["messages"] if m["from"] == "bot"
    )
    assert ack["delivery"] == "failed" and ack["delivery_error"] == "131026: Message undeliverable"


def test_a_status_that_arrives_before_its_message_is_applied_when_the_message_is_stored(
    client: Client,
) -> None:
    client.webhook(whatsapp_text("hello", customer="15550100107"))
    handled(client, "15550100107")
    conversation = ConversationModel.get(_conversation_id("whatsapp", DEMO_WA, "15550100107"), HEADER_KEY)
    early = StatusUpdate(
        channel="whatsapp", account_id=DEMO_WA, message_id="wamid.EARLY", status="delivered", at=utc_now()
    )
    assert conversations.apply_status(early) is False  # parked
    message = conversations.store_outbound(conversation, sender="agent", text="raced")
    conversations.mark_sent(message, "wamid.EARLY")
    assert MessageModel.get(message.conversation_id, message.message_key).delivery == "delivered"


def test_the_same_wamid_posted_20_times_concurrently_is_stored_once_and_handled_once(client: Client) -> None:
    payload = whatsapp_text("talk to a human", customer="15550100108", message_id="wamid.CONCURRENT")
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(lambda _: client.webhook(payload).status_code, range(20)))
    assert codes == [200] * 20
    eventually(lambda: client.tickets())
    table = boto3.resource("dynamodb", endpoint_url=client.stack.aws_url).Table("MessagesTable")
    stored = [i for i in table.scan()["Items"] if i["message_key"] == "in#wamid.CONCURRENT"]
    assert len(stored) == 1
    inbound_drained(client)  # all 20 deliveries consumed: the one message workflow ran once
    assert [name for name, _ in client.stack.lambdas.invocations].count("DetectFunction") == 1
    assert len(client.tickets()) == 1


def test_base64_encoded_bodies_are_verified_over_the_decoded_bytes(client: Client) -> None:
    raw = json.dumps(
        whatsapp_text("Olá! preciso de ajuda 🙏", customer="5511900000001"), ensure_ascii=False
    ).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    event = {"resource": "/webhook", "path": "/webhook", "httpMethod": "POST", "requestContext": {"requestId": "r1"},
             "headers": {"x-hub-signature-256": signature, "content-type": "application/json"},
             "body": base64.b64encode(raw).decode(), "isBase64Encoded": True}  # fmt: skip
    assert client.stack.lambdas.invoke("WebhookFunction", event)["statusCode"] == 200
    assert eventually(lambda: MessageModel.count(_conversation_id("whatsapp", DEMO_WA, "5511900000001")))
    tampered = {**event, "body": base64.b64encode(raw + b" ").decode()}
    assert client.stack.lambdas.invoke("WebhookFunction", tampered)["statusCode"] == 401


def test_instagram_fixtures_are_accepted_and_deletions_flag_the_original(client: Client) -> None:
    events = json.loads((FIXTURES / "instagram" / "events.json").read_text())
    for name, body in events.items():
        assert client.webhook(body).status_code == 200, name
    client.webhook(instagram_text("typo, ignore this", sender="IGSID-800", mid="m_DELETE_ME"))
    deletion = instagram_text("", sender="IGSID-800", mid="m_DELETE_ME")
    deletion["entry"][0]["messaging"][0]["message"] = {"mid": "m_DELETE_ME", "is_deleted": True}
    assert client.webhook(deletion).status_code == 200
    conversation_id = _conversation_id("instagram", "17841400000000001", "IGSID-800")
    # Meta sends the deletion with the deleted message's own mid: dedupe keeps the original and flags it.
    inbound_drained(client)  # the message and then its deletion, in order (one conversation)
    assert MessageModel.get(conversation_id, "in#m_DELETE_ME").deleted_at


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=25,
)
_meta_like = st.fixed_dictionaries(
    {"object": st.sampled_from(["whatsapp_business_account", "instagram", "page", ""]), "entry": _json}
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(_json, _meta_like))
def test_any_json_shape_gets_200_or_400_never_an_error(stack, body) -> None:
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    response = requests.post(
        f"{stack.api_url}/webhook", data=raw, headers={"X-Hub-Signature-256": signature}, timeout=10
    )
    assert response.status_code in (200, 400), (body, response.status_code, response.text)


def test_a_redelivery_older_than_a_day_is_stored_but_starts_nothing(client: Client) -> None:
    two_days_ago = int((utc_now() - timedelta(days=2)).timestamp())
    assert (
        client.webhook(whatsapp_text("I want a human", customer="15550100109", at=two_days_ago)).status_code
        == 200
    )
    inbound_drained(client)
    stored = MessageModel.query(_conversation_id("whatsapp", DEMO_WA, "15550100109"))
    assert [m.state for m in stored if m.message_key.startswith("in#")] == ["stale"]
    assert "DetectFunction" not in {name for name, _ in client.stack.lambdas.invocations}
    assert client.tickets() == []
