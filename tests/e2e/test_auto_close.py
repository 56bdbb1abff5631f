"""Answered tickets whose customer went quiet for 72 h close automatically (hourly schedule)."""

from __future__ import annotations

from datetime import timedelta

import boto3
import requests

from liveagent import conversations
from liveagent.conversations import HEADER_KEY, ConversationModel
from liveagent.ids import iso, utc_now
from tests.conftest import DEMO_WA, Client, eventually, whatsapp_text

SCHEDULED = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


def test_quiet_answered_tickets_close_and_others_stay_open(client: Client) -> None:
    opened = {}
    for customer in ("15550900001", "15550900002", "15550900003"):
        client.webhook(whatsapp_text("I want to talk to a human", customer=customer))
        opened[customer] = eventually(
            lambda c=customer: [t for t in client.tickets() if t["customer"]["id"] == c and t["assignee"]]
        )[0]
    for customer in ("15550900001", "15550900002"):  # answered; 0003 stays "requested"
        assert _reply(client, opened[customer]).status_code == 201
    _quiet_for(customer="15550900001", hours=73)

    assert _scheduled_run(client) == {"auto_closed": 1}
    status = {c: client.api("GET", f"/api/tickets/{t['id']}").json() for c, t in opened.items()}
    assert status["15550900001"]["status"] == "closed"
    assert status["15550900001"]["escalation"]["history"][-1]["to"] == "system:auto-close"
    assert status["15550900002"]["status"] == "answered" and status["15550900003"]["status"] == "requested"
    agents = {a["id"]: a for a in client.api("GET", "/api/agents").json()["items"]}
    still_open = [t for c, t in opened.items() if status[c]["status"] != "closed"]
    for agent_id, agent in agents.items():
        assert agent["open_tickets"] == sum(1 for t in still_open if t["assignee"] == agent_id)
    assert _scheduled_run(client) == {"auto_closed": 0}  # idempotent


def test_the_quiet_time_is_the_tenants_setting(client: Client) -> None:
    assert client.api("PUT", "/api/settings/tickets", json={"auto_close_hours": 2, "retention_days": 30}).ok
    client.webhook(whatsapp_text("I want to talk to a human", customer="15550900011"))
    _reply(client, eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0])
    _quiet_for(customer="15550900011", hours=3)
    assert _scheduled_run(client) == {"auto_closed": 1}


def test_a_run_that_keeps_failing_waits_in_the_dead_letter_queue_and_replays(client: Client) -> None:
    """EventBridge invokes the function asynchronously: Lambda retries it twice, then its destination
    record (the event, the function, the error) goes to the FailedWorkQueue, and the replay runs it."""
    from infra.replay_failed import replay, replay_targets

    client.webhook(whatsapp_text("I want to talk to a human", customer="15550900021"))
    _reply(client, eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0])
    _quiet_for(customer="15550900021", hours=73)
    armed = requests.post(
        f"{client.base}/local/faults", json={"lambda": {"function": "AutoCloseFunction", "times": 3}}
    )
    assert armed.json() == {"armed": 3}
    record = _scheduled_run(client)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == SCHEDULED and record["responsePayload"]["errorType"] == "InjectedFault"
    physical = replay_targets(client.stack.outputs())  # as `make replay` reads them from the stack
    aws = {name: boto3.client(name, region_name="us-east-1", endpoint_url=client.stack.aws_url)
           for name in ("sqs", "lambda", "stepfunctions")}  # fmt: skip
    assert [t["status"] for t in client.tickets()] == ["answered"]  # nothing closed yet
    report = replay(physical, aws)
    assert (report.replayed, report.failed) == (1, 0)
    assert [t["status"] for t in client.tickets(include_closed="true")] == ["closed"]


def _scheduled_run(client: Client) -> dict:
    """What EventBridge's hourly schedule does: one asynchronous invocation (with Lambda's retries)."""
    return client.stack.lambdas.invoke_async("AutoCloseFunction", SCHEDULED).result(timeout=120)


def _reply(client: Client, ticket: dict):
    """The assignee answers: the ticket becomes "answered"."""
    agent = next(e for e, i in client.stack.users.items() if i == ticket["assignee"])
    return client.api("POST", f"/api/tickets/{ticket['id']}/reply", as_user=agent, json={"text": "Hi!"})


def _quiet_for(customer: str, hours: int) -> None:
    """As if the customer's last message was `hours` ago."""
    quiet = conversations.conversation_id_for("demo", "whatsapp", DEMO_WA, customer)
    ConversationModel(quiet, HEADER_KEY).update(
        actions=[ConversationModel.last_customer_at.set(iso(utc_now() - timedelta(hours=hours)))]
    )
