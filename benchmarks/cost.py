"""Cost model (make cost): run bot-answered messages and escalations through the local stack (same handlers,
same state machines as AWS), count what AWS would bill, and price it with benchmarks/prices.json.

Counted from the run itself: Lambda requests and GB-seconds (measured durations x the template's memory
sizes), Step Functions Standard state transitions (from the executions' histories) and Express requests,
DynamoDB read/write request units (from every DynamoDB call and its item sizes, with the tables' GSIs),
SES emails, SNS SMS, API Gateway requests, and Comprehend requests as the AWS configuration would make
them (SENTIMENT_PROVIDER=comprehend: counted, answered locally). Durations are this machine's, running
moto in the same process: an upper bound for Lambda's.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "shared"), str(ROOT)]

from benchmarks.service import API_PORT, AWS_PORT, post, whatsapp  # noqa: E402 (configures the env)
from infra.local.stack import LocalStack  # noqa: E402

PRICES = json.loads((ROOT / "benchmarks" / "prices.json").read_text())
ANSWERED, ESCALATIONS = 300, 60
QUESTIONS = ["how long does delivery take?", "what payment methods do you accept?", "when are you open?",
             "do you ship internationally?", "hi!", "thanks, that's all"]  # fmt: skip


class Meter:
    """Counts billable units while the local stack runs."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.dynamo: Counter[str] = Counter()
        self.comprehend = 0
        self.gateway = 0
        self._patch()

    def _patch(self) -> None:
        import botocore.client

        from liveagent.detection import sentiment

        meter = self
        original = botocore.client.BaseClient._make_api_call

        def counted(client, operation, params):  # type: ignore[no-untyped-def]
            response = original(client, operation, params)
            if client.meta.service_model.service_name == "dynamodb":
                meter._dynamo(operation, params, response)
            return response

        botocore.client.BaseClient._make_api_call = counted
        sentiment.provider = lambda: "comprehend"  # what AWS runs: count the calls, answer locally

        def comprehend(text: str, language: str | None = None) -> None:
            meter.comprehend += 1 if language else 2  # DetectSentiment (+ DetectDominantLanguage)

        sentiment.comprehend_negative = comprehend
        dispatch = self.stack.gateway.dispatch

        def counted_dispatch(request):  # type: ignore[no-untyped-def]
            if not request.path.startswith(("/local/", "/bench/")):
                meter.gateway += 1
            return dispatch(request)

        self.stack.gateway.dispatch = counted_dispatch

    def _dynamo(self, operation: str, params: dict, response: dict) -> None:
        size = lambda item: len(json.dumps(item or {}))  # noqa: E731 - a close upper bound of the item size
        gsis = 2 if "Tickets" in str(params.get("TableName", "")) else 0  # status + assignee index copies
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            item = params.get("Item") or response.get("Attributes") or params.get("Key")
            self.dynamo["wru"] += math.ceil(size(item) / 1024) * (1 + gsis)
        elif operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                body = next(iter(entry.values()))
                self.dynamo["wru"] += 2 * math.ceil(size(body.get("Item") or body.get("Key")) / 1024)
        elif operation == "BatchWriteItem":
            for requests_ in params["RequestItems"].values():
                self.dynamo["wru"] += sum(math.ceil(size(r) / 1024) for r in requests_)
        elif operation == "GetItem":
            factor = 1.0 if params.get("ConsistentRead") else 0.5
            self.dynamo["rru"] += factor * max(1, math.ceil(size(response.get("Item")) / 4096))
        elif operation in ("Query", "Scan"):
            factor = 1.0 if params.get("ConsistentRead") else 0.5
            self.dynamo["rru"] += factor * max(1, math.ceil(size(response.get("Items")) / 4096))
        elif operation in ("TransactGetItems", "BatchGetItem"):
            self.dynamo["rru"] += 2 * len(params.get("TransactItems") or [1])
        self.dynamo[operation] += 1

    def reset(self) -> None:
        self.dynamo.clear()
        self.comprehend = self.gateway = 0
        self.stack.lambdas.invocations.clear()

    def bill(self) -> dict:
        import boto3
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends

        specs = self.stack.lambdas.specs
        invocations = list(self.stack.lambdas.invocations)
        gb_seconds = sum(seconds * specs[name].memory / 1024 for name, seconds in invocations)
        sfn = boto3.client("stepfunctions", region_name="us-east-1", endpoint_url=self.stack.aws_url)
        transitions = express = 0
        for machine in sfn.list_state_machines()["stateMachines"]:
            kind = sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["type"]
            pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=machine["stateMachineArn"])
            executions = [e for page in pages for e in page["executions"]]
            if kind == "EXPRESS":
                express += len(executions)
                continue
            for execution in executions:
                events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
                transitions += sum(1 for e in events if e["type"].endswith("StateEntered"))
        emails = len(ses_backends["123456789012"]["us-east-1"].sent_messages)
        sms = len(sns_backends["123456789012"]["us-east-1"].sms_messages)
        p = PRICES
        lines = {
            "lambda_requests": len(invocations) * p["lambda_usd_per_million_requests"] / 1e6,
            "lambda_compute": gb_seconds * p["lambda_arm64_usd_per_gb_second"],
            "sfn_standard": transitions * p["stepfunctions_standard_usd_per_1000_transitions"] / 1000,
            "sfn_express": express * p["stepfunctions_express_usd_per_million_requests"] / 1e6
            + express
            * 0.1
            * p["stepfunctions_express_billed_memory_gb"]
            * p["stepfunctions_express_usd_per_gb_second"],
            "dynamodb": self.dynamo["wru"] * p["dynamodb_on_demand_usd_per_million_wru"] / 1e6
            + self.dynamo["rru"] * p["dynamodb_on_demand_usd_per_million_rru"] / 1e6,
            "ses": emails * p["ses_usd_per_1000_emails"] / 1000,
            "api_gateway": self.gateway * p["apigateway_rest_usd_per_million_requests"] / 1e6,
            "comprehend": self.comprehend * 3 * p["comprehend_usd_per_unit_100_chars"],  # 3-unit minimum
        }
        counts = {
            "lambda_invocations": len(invocations), "lambda_gb_s": round(gb_seconds, 3),
            "sfn_transitions": transitions, "sfn_express": express, "wru": self.dynamo["wru"],
            "rru": self.dynamo["rru"], "emails": emails, "sms": sms, "api_requests": self.gateway,
            "comprehend_requests": self.comprehend,
        }  # fmt: skip
        return {"usd": lines, "counts": counts, "sms_usd": sms * p["sns_sms_usd_per_message_us"]}


def settle(stack: LocalStack, seconds: float = 60) -> None:
    """Wait until no workflow is still running (the cost of a message includes all it sets off)."""
    import boto3

    sfn = boto3.client("stepfunctions", region_name="us-east-1", endpoint_url=stack.aws_url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        running = [
            e
            for m in sfn.list_state_machines()["stateMachines"]
            for e in sfn.list_executions(stateMachineArn=m["stateMachineArn"], statusFilter="RUNNING")[
                "executions"
            ]
        ]
        if not running:
            return
        time.sleep(0.2)


def answered(stack: LocalStack) -> None:
    for n in range(ANSWERED):
        post(
            stack.api_url,
            "/webhook",
            whatsapp(QUESTIONS[n % len(QUESTIONS)], f"1557{n % 100:07d}", "Cost", n),
        )
    settle(stack)


def escalations(stack: LocalStack) -> None:
    """Each escalation as it really goes: ticket, acknowledgement, notifications, an agent reply, close."""
    import boto3
    import requests

    from liveagent.agents import AgentModel

    for agent in AgentModel.query("demo"):
        agent.update(actions=[AgentModel.capacity.set(100)])
    for n in range(ESCALATIONS):
        post(stack.api_url, "/webhook", whatsapp("I want to talk to a human", f"1558{n:07d}", f"Cost {n}", n))
    settle(stack, 30)
    cognito = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=stack.aws_url)
    tokens = {}
    for email in stack.users:
        auth = cognito.initiate_auth(ClientId=stack.provisioned.user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": email, "PASSWORD": "Demo-pass-1"})  # fmt: skip
        tokens[stack.users[email]] = auth["AuthenticationResult"]["IdToken"]
    base = stack.api_url
    admin = tokens[stack.users["admin@demo.test"]]
    tickets = requests.get(
        f"{base}/api/tickets?limit=200", headers={"Authorization": admin}, timeout=30
    ).json()
    for ticket in tickets["items"]:
        who = {"Authorization": tokens.get(ticket["assignee"], admin)}
        requests.post(
            f"{base}/api/tickets/{ticket['id']}/reply",
            json={"text": "Hi, I'm here to help."},
            headers=who,
            timeout=30,
        )
        requests.post(f"{base}/api/tickets/{ticket['id']}/close", headers=who, timeout=30)
    settle(stack)


def main() -> int:
    stack = LocalStack(api_port=API_PORT, aws_port=AWS_PORT).start()
    try:
        meter = Meter(stack)
        results = {}
        for name, scenario, count in (
            ("answered", answered, ANSWERED),
            ("escalations", escalations, ESCALATIONS),
        ):
            stack.reset()
            meter.reset()
            scenario(stack)
            results[name] = (meter.bill(), count)
    finally:
        stack.stop()
    per_1000 = {}
    for name, (bill, count) in results.items():
        print(f"\n{name}: {count} simulated; counts {json.dumps(bill['counts'])}")
        print(f"  {'line':<18}{'USD per 1,000':>14}")
        for line, usd in bill["usd"].items():
            print(f"  {line:<18}{usd / count * 1000:>14.5f}")
        per_1000[name] = sum(bill["usd"].values()) / count * 1000
        print(
            f"  {'total':<18}{per_1000[name]:>14.5f}   (SMS separately: {bill['sms_usd'] / count * 1000:.2f})"
        )
    sms = results["escalations"][0]["sms_usd"] / ESCALATIONS * 1000
    day = per_1000["answered"] * 8.5 + per_1000["escalations"] * 1.5
    print(
        f"\nA day of 10,000 messages, 15% escalating: ${day:.2f} (+ ${sms * 1.5:.2f} SMS); prices of {PRICES['date']}"
    )
    print(json.dumps({
        "usd_per_1000_answered": round(per_1000["answered"], 4),
        "usd_per_1000_escalations": round(per_1000["escalations"], 4),
        "sms_usd_per_1000_escalations": round(sms, 2),
        "prices_date": PRICES["date"],
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
