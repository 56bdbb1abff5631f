"""What AWS does and moto does not, emulated by the local stack, and the system's answer to each:
a function past its Timeout (Sandbox.Timedout), transactions cancelled by TransactionConflict, an Express
step delivered twice, a Graph API answer that never comes."""

from __future__ import annotations

from liveagent.analytics import DailyStatsModel
from liveagent.conversations import MessageModel, conversation_id_for
from liveagent.ids import utc_now
from tests.conftest import DEMO_WA, Client, eventually, whatsapp_text
from tests.e2e.workflows import handled, inbound_drained

KB_QUESTION = "How long does delivery take?"


def _to(client: Client, customer: str) -> list[dict]:
    return [m for m in client.outbox()["messages"] if m["to"] == customer]


def _bot_messages(customer: str) -> list[MessageModel]:
    conversation = conversation_id_for("demo", "whatsapp", DEMO_WA, customer)
    return [m for m in MessageModel.query(conversation) if m.sender == "bot"]


def _status(message: dict, status: str) -> dict:
    """What WhatsApp posts about a message we sent: its id and the reference we gave it."""
    request = message["request"]
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000001", "phone_number_id": DEMO_WA},
        "statuses": [{"id": message["id"], "status": status, "timestamp": "1700000000",
                      "recipient_id": request["to"],
                      "biz_opaque_callback_data": request["biz_opaque_callback_data"]}],
    }}]}]}  # fmt: skip


def test_an_assignment_cancelled_by_a_transaction_conflict_is_retried_not_queued(client: Client) -> None:
    """Two assignments racing on one agent: DynamoDB cancels one with TransactionConflict, which says
    nothing about the agent's capacity. It is run again and the ticket assigned to the one agent free."""
    for email in ("bob@demo.test", "lead@demo.test"):  # alice is the only tech_support agent online
        assert client.api("PUT", f"/api/agents/{client.agent_id(email)}", json={"status": "away"}).ok
    client.arm({"dynamodb": {"operation": "TransactWriteItems", "table": "AgentsTable",
                               "error": "TransactionConflict", "times": 2}})  # fmt: skip
    client.webhook(whatsapp_text("I want to talk to a human", customer="15551300001"))
    ticket = eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0]
    assert not client.stack.faults.dynamodb_armed  # both conflicts happened
    assert ticket["assignee"] == client.agent_id("alice@demo.test")
    events = [
        h["event"] for h in client.api("GET", f"/api/tickets/{ticket['id']}").json()["escalation"]["history"]
    ]
    assert "queued" not in events and events.count("assigned") == 1
    agents = {a["id"]: a["open_tickets"] for a in client.api("GET", "/api/agents").json()["items"]}
    assert agents[ticket["assignee"]] == 1 and sum(agents.values()) == 1


def test_a_reply_step_delivered_twice_sends_the_answer_once(client: Client) -> None:
    client.arm({"lambda": {"function": "ReplyFunction", "duplicate": True}})
    client.webhook(whatsapp_text(KB_QUESTION, customer="15551300002"))
    handled(client, "15551300002")  # both deliveries of the step have ended by then
    assert len(_to(client, "15551300002")) == 1
    (answer,) = _bot_messages("15551300002")
    assert answer.delivery == "sent" and answer.text.startswith("Standard delivery")


def test_a_detect_step_delivered_twice_counts_the_decision_once(client: Client) -> None:
    client.arm({"lambda": {"function": "DetectFunction", "duplicate": True}})
    client.webhook(whatsapp_text(KB_QUESTION, customer="15551300003"))
    handled(client, "15551300003")
    stats = DailyStatsModel.get(f"demo#stats#{utc_now():%Y-%m-%d}")
    assert (int(stats.answered), int(stats.escalated)) == (1, 0)
    assert len(_to(client, "15551300003")) == 1


def test_a_step_past_its_timeout_is_retried_and_never_sends_twice(client: Client) -> None:
    """The bot's answer reached Meta, then DynamoDB was slow to record it and the function ran out of
    time. Step Functions retries the step (Sandbox.Timedout): the retry finds the message claimed by an
    invocation that is gone, so it marks it "unknown" instead of sending it again; WhatsApp's status
    report (carrying our reference) then settles it."""
    customer = "15551300004"
    client.arm({"dynamodb": {"function": "ReplyFunction", "operation": "UpdateItem", "table": "MessagesTable",
                               "skip": 1, "delay_seconds": 7}})  # fmt: skip
    with client.stack.lambdas.timeout("ReplyFunction", 5):
        client.webhook(whatsapp_text(KB_QUESTION, customer=customer))
        (message,) = handled(client, customer, timeout=60)
    assert message.state == "handled"  # its workflow succeeded, on the step's retry
    assert ("ReplyFunction", "Sandbox.Timedout") in client.stack.lambdas.errors
    (sent,) = _to(client, customer)  # one Graph API call, however often the step ran
    (answer,) = _bot_messages(customer)
    assert answer.delivery == "unknown"
    assert client.webhook(_status(sent, "delivered")).status_code == 200
    inbound_drained(client)  # the status report is handled behind the webhook's queue
    answer.refresh()
    assert answer.delivery == "delivered" and answer.graph_message_id == sent["id"]


def test_a_graph_answer_that_never_comes_is_reconciled_not_resent(client: Client, function_env) -> None:
    """Meta took the agent's reply but answered after the client gave up: a read timeout is not retried
    (it would deliver the reply twice); the message is "unknown" until Meta's status arrives."""
    customer = "15551300005"
    client.webhook(whatsapp_text("I want to talk to a human", customer=customer))
    ticket = eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0]
    agent = next(e for e, i in client.stack.users.items() if i == ticket["assignee"])
    # The assignment can land before the message workflow has sent the customer its acknowledgement:
    # the fault is armed once that Graph call is over, so it delays the agent's reply and nothing else.
    handled(client, customer)
    assert len(_to(client, customer)) == 1  # the acknowledgement, before the fault
    function_env("ReplyFunction", GRAPH_READ_TIMEOUT_SECONDS="1")
    client.arm({"graph": {"delay_seconds": 2}})
    reply = client.api("POST", f"/api/tickets/{ticket['id']}/reply", as_user=agent, json={"text": "Hello!"})
    assert reply.status_code == 201 and reply.json()["delivery"] == "unknown"
    replies = [m for m in _to(client, customer) if m["text"] == "Hello!"]
    assert len(replies) == 1
    assert client.webhook(_status(replies[0], "read")).status_code == 200
    inbound_drained(client)
    detail = client.api("GET", f"/api/tickets/{ticket['id']}").json()
    assert [m["delivery"] for m in detail["messages"] if m["text"] == "Hello!"] == ["read"]
