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


def finished_executions(client: Client, name: str, count: int, timeout: float = 30.0) -> list[dict]:
    """The state machine's executions once there are `count` of them and none is running any more."""
    arn = machine_arn(client, name)

    def done() -> list[dict] | None:
        executions = sfn(client).list_executions(stateMachineArn=arn)["executions"]
        if len(executions) >= count and all(e["status"] != "RUNNING" for e in executions):
            return executions
        return None

    return eventually(done, timeout=timeout)


def history(client: Client, execution_arn: str) -> list[dict]:
    return sfn(client).get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]


def task_errors(events: list[dict]) -> list[str]:
    """The errors of the failed task attempts in an execution's history (Lambda tasks and others)."""
    errors = []
    for event in events:
        for key in ("taskFailedEventDetails", "lambdaFunctionFailedEventDetails"):
            if key in event:
                errors.append(event[key].get("error", ""))
    return errors
