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
    try:
        eventually(client.stack.inbound_queue_empty, timeout=timeout)
    except AssertionError as exc:  # say which invocations failed: their deliveries are the ones waiting
        raise AssertionError(
            f"{exc}; failed invocations: {client.stack.lambdas.error_messages[-20:]}"
        ) from None


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


# ------------------------------------------------------------------------------ a ticket's workflow
def escalation_execution_arn(client: Client, ticket_id: str) -> str:
    """The ticket's escalation workflow (Standard, named after the ticket)."""
    return machine_arn(client, "escalation").replace(":stateMachine:", ":execution:") + f":{ticket_id}"


def escalation_history(client: Client, ticket_id: str) -> list[dict]:
    arn = escalation_execution_arn(client, ticket_id)
    events, token = [], None
    while True:
        page = sfn(client).get_execution_history(executionArn=arn, **({"nextToken": token} if token else {}))
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            return events


def states_entered(client: Client, ticket_id: str) -> list[str]:
    """The escalation workflow's states in the order it entered them."""
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in escalation_history(client, ticket_id)
        if "stateEnteredEventDetails" in e
    ]


def is_parked(client: Client, ticket_id: str, state: str, times: int = 1) -> list[str] | None:
    """The states the workflow went through if it has entered `state` for the `times`-th time and waits
    there (a task: on a token the ticket holds; a Wait state: until its time), else None."""
    from liveagent.tickets import TicketModel

    entered = states_entered(client, ticket_id)
    if entered.count(state) < times or entered[-1] != state:
        return None
    if not state.startswith("Await"):
        return entered
    return entered if TicketModel.get("demo", ticket_id, consistent_read=True).task_token else None


def parked(client: Client, ticket_id: str, state: str, *, times: int = 1, timeout: float = 30.0) -> list[str]:
    """Once the workflow waits in `state` (see is_parked): nothing more happens until someone acts or the
    wait ends. Returns the states it went through."""
    return eventually(lambda: is_parked(client, ticket_id, state, times), timeout=timeout)


def finished(client: Client, ticket_id: str, timeout: float = 30.0) -> list[str]:
    """Once the ticket's workflow has ended: the states it went through."""

    def ended() -> bool:
        return (
            sfn(client).describe_execution(executionArn=escalation_execution_arn(client, ticket_id))["status"]
            != "RUNNING"
        )

    eventually(ended, timeout=timeout)
    return states_entered(client, ticket_id)
