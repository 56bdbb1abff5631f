"""The ways issue 14 found to silence a customer, each reproduced on the local stack (the crash sweep in
test_crash_sweep.py covers interrupted opens and closes; settings conflicts are in test_tenants.py and
test_api_access.py; bot answers Meta refuses in test_deliveries.py)."""

from __future__ import annotations

import time

import boto3
import requests

from liveagent.agents import AgentModel
from liveagent.conversations import MessageModel, conversation_id_for, get_conversation
from liveagent.tickets import TicketModel
from tests.conftest import DEMO_WA, Client, eventually, whatsapp_text
from tests.e2e.workflows import finished, handled, inbound_drained, inbound_queue_url, parked

KB_QUESTION = "How long does delivery take?"
ESCALATING = "I want to talk to a human"


def _redelivery_in(client: Client, seconds: int) -> None:
    """The inbound queue's visibility timeout shortened (as an operator could), so a failed delivery comes
    back in seconds rather than the template's 18 minutes."""
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=client.stack.aws_url)
    sqs.set_queue_attributes(
        QueueUrl=inbound_queue_url(client), Attributes={"VisibilityTimeout": str(seconds)}
    )


def _to(client: Client, customer: str) -> list[dict]:
    return [m for m in client.outbox()["messages"] if m["to"] == customer]


def _ticket(client: Client, customer: str) -> TicketModel:
    conversation = conversation_id_for("demo", "whatsapp", DEMO_WA, customer)
    return eventually(
        lambda: next(
            (
                t
                for t in TicketModel.query("demo", consistent_read=True)
                if t.conversation_id == conversation and t.task_token
            ),
            None,
        )
    )


def _open_counts() -> dict[str, int]:
    return {a.email: int(a.open_count) for a in AgentModel.query("demo", consistent_read=True)}


# 3 ------------------------------------------------------------------------------------------------------
def test_a_throttled_conversation_header_write_is_made_whole_when_the_queue_delivers_again(
    client: Client,
) -> None:
    """The first request of a delivery writes the conversation header; DynamoDB throttling it past
    botocore's retries fails the delivery, and the redelivery must write it (a first contact otherwise
    fails detection for good; an existing conversation's 24-hour window clock goes stale)."""
    _redelivery_in(client, 2)
    customer = "15552100001"
    # Meta's timestamps are whole seconds: the first message a minute ago, so the window clock must move.
    client.webhook(whatsapp_text("hello there", customer=customer, at=int(time.time()) - 60))
    handled(client, customer)
    header = get_conversation(conversation_id_for("demo", "whatsapp", DEMO_WA, customer))
    first_at = header.last_customer_at

    throttled = {"function": "InboundFunction", "operation": "UpdateItem", "table": "MessagesTable"}
    client.arm({"dynamodb": {**throttled, "error": "ThrottlingException", "times": 4}})  # one call's retries
    client.webhook(whatsapp_text(KB_QUESTION, customer=customer))
    (_, question) = handled(client, customer, count=2, timeout=60)
    assert not client.stack.faults.dynamodb_armed  # the delivery failed (reported to the queue), came back
    header.refresh(consistent_read=True)
    assert header.last_customer_at > first_at  # the window clock moved on, to the question's time
    assert header.last_customer_at[:19] == question.at[:19]
    assert question.state == "handled" and _to(client, customer)[-1]["text"].startswith("Standard delivery")

    newcomer = "15552100002"  # a first contact whose header write is throttled the same way
    client.arm({"dynamodb": {**throttled, "error": "ThrottlingException", "times": 4}})
    client.webhook(whatsapp_text(KB_QUESTION, customer=newcomer))
    (answered,) = handled(client, newcomer, timeout=60)
    assert answered.state == "handled" and _to(client, newcomer)[0]["text"].startswith("Standard delivery")
    assert get_conversation(answered.conversation_id).last_customer_at[:19] == answered.at[:19]


# 4, 6 ---------------------------------------------------------------------------------------------------
def test_the_queue_drains_past_any_number_of_waiting_tickets_oldest_first(client: Client) -> None:
    """30 tickets wait with nobody online (more than one page of the old 25-ticket read); an agent
    coming online with room for all of them gets every one, oldest first, each one's workflow woken."""
    for agent in AgentModel.query("demo"):
        assert client.api("PUT", f"/api/agents/{agent.agent_id}", json={"status": "away"}).ok
    customers = [f"155521010{n:02d}" for n in range(30)]
    for customer in customers:
        client.webhook(whatsapp_text(ESCALATING, customer=customer))
    for customer in customers:
        handled(client, customer, timeout=60)
    waiting = eventually(
        lambda: (
            (
                found := [
                    t
                    for t in TicketModel.query("demo", consistent_read=True)
                    if t.waiting_key and t.task_token
                ]
            )
            and len(found) == 30
            and found
        ),
        timeout=60,
    )
    alice = client.agent_id("alice@demo.test")
    AgentModel.get("demo", alice).update(
        actions=[AgentModel.departments.set(["billing", "tech_support", "general"])]
    )
    assert client.api("PUT", f"/api/agents/{alice}", json={"capacity": 27}).ok
    assert client.api("PUT", f"/api/agents/{alice}", json={"status": "online"}, as_user="alice@demo.test").ok
    oldest_first = sorted(t.ticket_id for t in waiting)  # ticket ids are time-ordered (ULIDs)

    def drained() -> list[TicketModel] | None:
        tickets = [TicketModel.get("demo", i, consistent_read=True) for i in oldest_first]
        taken = [t for t in tickets if t.assignee == alice and t.task_token and not t.waiting_key]
        return tickets if len(taken) == 27 else None

    tickets = eventually(drained, timeout=90)
    assert [t.assignee for t in tickets] == [alice] * 27 + [None] * 3  # the 27 oldest, past any page size
    assert all(t.waiting_key for t in tickets[27:])
    assert _open_counts()["alice@demo.test"] == 27


def test_a_hand_over_after_the_ticket_was_acknowledged_gives_the_new_owner_a_timer(client: Client) -> None:
    policy = {"levels": [{"target": "assignee", "timeout_seconds": 2, "reassign": False},
                         {"target": "permission:admin", "timeout_seconds": 60, "reassign": False}], "repeat": 0}  # fmt: skip
    assert client.api("PUT", "/api/settings/escalation-policy", json=policy).ok
    customer = "15552100100"
    client.webhook(whatsapp_text(ESCALATING, customer=customer))
    ticket = _ticket(client, customer)
    parked(client, ticket.ticket_id, "AwaitResponse")
    owner = next(e for e, i in client.stack.users.items() if i == ticket.assignee)
    assert client.api("POST", f"/api/tickets/{ticket.ticket_id}/ack", as_user=owner).ok
    parked(client, ticket.ticket_id, "AwaitWhileAttended")
    other = next(e for e in ("alice@demo.test", "bob@demo.test") if e != owner)
    handed = client.api(
        "POST", f"/api/tickets/{ticket.ticket_id}/assign", json={"agent_id": client.agent_id(other)}
    )
    assert handed.status_code == 200, handed.text
    # The new owner is told and their own timer runs: it runs out (they do nothing) and the next level
    # (the admins) is told.
    entered = parked(client, ticket.ticket_id, "AwaitResponse", times=3, timeout=30)
    assert entered.count("NextLevel") == 1 and entered[-2] == "NotifyLevel"
    ticket.refresh(consistent_read=True)
    assert ticket.assignee == client.agent_id(other) and ticket.acknowledged_at is None
    assert any(e["event"] == "escalated" for e in ticket.history)


# 5 ------------------------------------------------------------------------------------------------------
def test_closing_ends_the_waiting_workflow(client: Client) -> None:
    customer = "15552100200"
    client.webhook(whatsapp_text(ESCALATING, customer=customer))
    ticket = _ticket(client, customer)
    parked(client, ticket.ticket_id, "AwaitResponse")
    assert client.api("POST", f"/api/tickets/{ticket.ticket_id}/close").ok
    entered = finished(client, ticket.ticket_id)
    assert entered[-2:] == ["AfterResponse", "Done"]
    assert TicketModel.get("demo", ticket.ticket_id, consistent_read=True).task_token is None


# 7 ------------------------------------------------------------------------------------------------------
def test_a_throttled_close_fails_and_its_retry_frees_the_agent(client: Client) -> None:
    """Throttling is not a failed condition: the close answers 5xx, nothing half-done, and the retry
    closes the ticket and gives the agent their capacity back."""
    customer = "15552100300"
    client.webhook(whatsapp_text(ESCALATING, customer=customer))
    ticket = _ticket(client, customer)
    owner = next(e for e, i in client.stack.users.items() if i == ticket.assignee)
    assert _open_counts()[owner] == 1
    client.arm({"dynamodb": {"function": "ApiFunction", "operation": "TransactWriteItems",
                               "error": "ThrottlingException", "times": 4}})  # fmt: skip
    refused = client.api("POST", f"/api/tickets/{ticket.ticket_id}/close")
    assert refused.status_code >= 500, refused.text
    assert TicketModel.get("demo", ticket.ticket_id, consistent_read=True).status != "closed"
    assert _open_counts()[owner] == 1
    assert client.api("POST", f"/api/tickets/{ticket.ticket_id}/close").status_code == 200
    assert _open_counts()[owner] == 0
    finished(client, ticket.ticket_id)


def test_a_close_whose_workflow_signal_is_throttled_fails_and_its_retry_ends_the_workflow(
    client: Client,
) -> None:
    """SendTaskSuccess throttled is not "someone else answered": the close answers 5xx; the retry (the
    close itself already done, so the same answer) signals the workflow, which ends."""
    customer = "15552100301"
    client.webhook(whatsapp_text(ESCALATING, customer=customer))
    ticket = _ticket(client, customer)
    parked(client, ticket.ticket_id, "AwaitResponse")
    client.arm({"states": {"times": 6}})  # more than botocore's retries of one call
    refused = client.api("POST", f"/api/tickets/{ticket.ticket_id}/close")
    assert refused.status_code >= 500, refused.text
    assert TicketModel.get("demo", ticket.ticket_id, consistent_read=True).task_token  # not thrown away
    requests.delete(f"{client.base}/local/faults", timeout=10)
    assert client.api("POST", f"/api/tickets/{ticket.ticket_id}/close").status_code == 200
    assert finished(client, ticket.ticket_id)[-1] == "Done"


# 8 ------------------------------------------------------------------------------------------------------
def test_a_failed_status_that_arrives_while_the_send_is_being_recorded_is_not_lost(client: Client) -> None:
    """WhatsApp's `failed` report can arrive before the function that sent the message has recorded the
    send: it finds the message by the reference we gave Meta (biz_opaque_callback_data), not through an
    index that may not have it yet, and the failure is what the agent sees."""
    customer = "15552100400"
    client.arm({"dynamodb": {"function": "ReplyFunction", "operation": "UpdateItem", "table": "MessagesTable",
                               "skip": 1, "delay_seconds": 3}})  # fmt: skip
    client.webhook(whatsapp_text(KB_QUESTION, customer=customer))
    (sent,) = eventually(lambda: _to(client, customer))
    request = sent["request"]
    status = {"object": "whatsapp_business_account", "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000001", "phone_number_id": DEMO_WA},
        "statuses": [{"id": sent["id"], "status": "failed", "timestamp": "1700000000", "recipient_id": customer,
                      "biz_opaque_callback_data": request["biz_opaque_callback_data"],
                      "errors": [{"code": 131026, "title": "Message undeliverable"}]}],
    }}]}]}  # fmt: skip
    assert client.webhook(status).status_code == 200
    handled(client, customer, timeout=30)
    inbound_drained(client)
    conversation = conversation_id_for("demo", "whatsapp", DEMO_WA, customer)
    (answer,) = [m for m in MessageModel.query(conversation) if m.sender == "bot"]
    assert answer.delivery == "failed" and answer.attention_key == "demo"
    listed = client.api("GET", "/api/deliveries/attention").json()["items"]
    assert [m["text"] for m in listed if m["conversation_id"] == conversation] == [answer.text]


# 11 -----------------------------------------------------------------------------------------------------
def test_the_bot_never_answers_a_message_written_after_one_that_asks_for_a_person(client: Client) -> None:
    """The customer asks for a person and, before the ticket is open, asks a question the bot could
    answer: the question is handled after the escalation (one conversation at a time, in order), so it
    joins the ticket and the bot says nothing to it."""
    customer = "15552100500"
    client.arm(
        {"dynamodb": {"function": "RouteFunction", "operation": "TransactWriteItems", "delay_seconds": 2}},
    )
    client.webhook(whatsapp_text(ESCALATING, customer=customer, message_id="wamid.ORDER-1"))
    client.webhook(whatsapp_text(KB_QUESTION, customer=customer, message_id="wamid.ORDER-2"))
    messages = handled(client, customer, count=2, timeout=30)
    inbound_drained(client)
    ticket = _ticket(client, customer)
    assert {m.message_key: m.ticket_id for m in messages} == {
        "in#wamid.ORDER-1": ticket.ticket_id,
        "in#wamid.ORDER-2": ticket.ticket_id,
    }
    sent = _to(client, customer)
    assert len(sent) == 1 and not sent[0]["text"].startswith("Standard delivery")  # the acknowledgement only
