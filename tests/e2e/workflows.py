"""Waiting on workflows, not on time: executions and their history, through the fake AWS."""

from __future__ import annotations

import boto3

from tests.conftest import Client, eventually


def sfn(client: Client):
    return boto3.client("stepfunctions", region_name="us-east-1", endpoint_url=client.stack.aws_url)


def machine_arn(client: Client, name: str) -> str:
    """name: "message" or "escalation" (the template's <stack>-<name>)."""
    machines = sfn(client).list_state_machines()["stateMachines"]
    return next(m["stateMachineArn"] for m in machines if m["name"].endswith(f"-{name}"))


def inbound_queue_url(client: Client) -> str:
    return client.stack.resolver.ref("InboundQueue")


def inbound_drained(client: Client, timeout: float = 30.0) -> None:
    """Every item the webhook queued has been consumed (none waiting, none in flight): whatever a
    delivery would set off in the message workflow has happened by then."""
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=client.stack.aws_url)
    keys = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]

    def empty() -> bool:
        attributes = sqs.get_queue_attributes(QueueUrl=inbound_queue_url(client), AttributeNames=keys)[
            "Attributes"
        ]
        return all(int(attributes[k]) == 0 for k in keys)

    eventually(empty, timeout=timeout)


def handled(client: Client, customer: str, count: int = 1, *, timeout: float = 30.0, account: str | None = None,
            channel: str = "whatsapp") -> list:  # fmt: skip
    """The customer's messages once `count` of them have run their message workflow to its end."""
    from liveagent.conversations import MessageModel, conversation_id_for
    from tests.conftest import DEMO_WA

    conversation = conversation_id_for("demo", channel, account or DEMO_WA, customer)

    def done() -> list | None:
        inbound = [m for m in MessageModel.query(conversation) if m.message_key.startswith("in#")]
        finished = [m for m in inbound if m.state in ("handled", "parked")]
        return finished if len(finished) >= count else None

    return eventually(done, timeout=timeout)
