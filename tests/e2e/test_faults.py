"""Faults under load, on the local stack: while 8 senders deliver 150 messages from 30 customers, SES
throttles, SNS fails, Comprehend throttles and two functions raise in the middle of their workflows.

No ticket is lost (every message stored once, every customer who asked for a person or complained has
exactly one ticket, settled: assigned or queued; nobody over capacity); every failure is visible (the
notification records say which channel failed and why, the metrics behind the alarms are emitted, the
workflow histories show the failed task and its retry); and the system recovers once the faults are spent.
"""

from __future__ import annotations

import json
from collections import Counter

import boto3
import pytest
import requests

from liveagent import conversations
from tests.commands import make, user_environment
from tests.conftest import Client, eventually, whatsapp_text
from tests.e2e.traffic import Crowd

CUSTOMERS, PER_CUSTOMER = 30, 5
ASKING, COMPLAINING = set(range(0, 30, 5)), set(range(2, 30, 10))  # 6 ask for a person, 3 complain
QUESTIONS = ["how long does delivery take?", "which payment methods do you accept?", "when are you open?",
             "do you ship internationally?", "thanks!"]  # fmt: skip
FAULTS = {
    # Each email is tried 5 times (botocore's standard retries, backing off up to 20 s), and concurrent
    # notifications share the faults: 60 throttles make several emails fail outright.
    "ses": {"times": 60},  # Throttling
    "sns": {"times": 30},  # InternalError, retried as well: a few SMS fail outright
    # ThrottlingException for the whole run: every decision falls back to the local analyzer, so the
    # complaints are still complaints (moto's own Comprehend answers with a canned score).
    "comprehend": {"times": 1000},
    "lambda": {"function": "NotifyFunction", "times": 2},  # raises mid-escalation: the workflow retries
}


CROWD = Crowd("1558", CUSTOMERS, PER_CUSTOMER)


# Mildly negative, not a plain question, and answered from the KB: the kind of message the detect step
# asks Comprehend about (it could turn the decision), so the Comprehend fault is met under load.
SIGHING = set(range(3, 30, 5))


def _first_words(n: int) -> str:
    if n in ASKING:
        return "I want to talk to a human"
    if n in COMPLAINING:
        return "your service is terrible, my order never arrived and nobody answers me"
    if n in SIGHING:
        return "sigh. forgot my password. again."
    return QUESTIONS[0]


def _emf_documents(out: str) -> list[dict]:
    """The EMF documents printed on stdout. The local stack's functions share one process, so two
    threads' prints can land on one line (each function instance has its own log stream in AWS)."""
    decoder, documents = json.JSONDecoder(), []
    for line in out.splitlines():
        at = line.find('{"_aws"')
        while at != -1:
            document, end = decoder.raw_decode(line, at)
            documents.append(document)
            at = line.find('{"_aws"', end)
    return documents


def test_faults_under_load_lose_nothing_show_every_failure_and_recover(
    client: Client, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, function_env
) -> None:
    function_env(
        "DetectFunction", SENTIMENT_PROVIDER="comprehend"
    )  # as in AWS (the local stack runs offline)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")  # the local stack keeps them quiet otherwise
    capsys.readouterr()
    client.arm(FAULTS)  # spent by the calls the load makes

    CROWD.send(client, lambda n, i: _first_words(n) if i == 0 else QUESTIONS[i])

    # Nothing lost: every message stored once; every customer who asked for a person or complained has
    # exactly one settled ticket.
    CROWD.assert_each_message_stored_once(client)
    everything = CROWD.settled_tickets(client, ASKING | COMPLAINING)
    reasons = {t["customer"]["id"]: t["reason"] for t in everything}
    assert {reasons[CROWD.customer(n)] for n in ASKING} == {"agent_requested"}
    # With Comprehend down, every complaint is still caught (the local analyzer), and as a complaint: each
    # conversation is handled in order, so the complaint opens the ticket before any later question.
    assert {reasons[CROWD.customer(n)] for n in COMPLAINING} == {"complaint"}
    CROWD.assert_in_order(client)
    agents = client.api("GET", "/api/agents").json()["items"]
    assert all(a["open_tickets"] <= a["capacity"] for a in agents)

    # Every failure visible. Notification records say which channel failed and why ...
    def notification_records() -> list[dict] | None:
        records = [
            item
            for email in ("alice@demo.test", "bob@demo.test", "lead@demo.test")
            for item in client.api("GET", "/api/notifications", as_user=email).json()["items"]
        ]
        done = sum(1 for t in everything if t["assignee"])
        return records if len(records) >= done else None

    records = eventually(notification_records, timeout=60, interval=1.0)
    records = [r for r in records if "email" in r["deliveries"]]  # not the in-app-only "customer wrote"
    emails = Counter(r["deliveries"].get("email", "").split(":")[0] for r in records)
    sms = Counter(r["deliveries"].get("sms", "").split(":")[0] for r in records)
    assert emails["failed"] >= 1 and sms["failed"] >= 1, (emails, sms)
    assert all(r["deliveries"][c].startswith(("sent", "failed: ")) for r in records for c in ("email", "sms"))
    assert all(r["deliveries"]["in_app"] == "stored" for r in records)  # the channel that cannot fail
    # ... the metrics the alarms watch were emitted (EMF lines on stdout, as CloudWatch reads them) ...
    emitted = Counter()
    for document in _emf_documents(capsys.readouterr().out):
        for metric in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
            value = document[metric["Name"]]
            emitted[metric["Name"]] += int(sum(value) if isinstance(value, list) else value)
    assert emitted["EmailFailed"] >= 1 and emitted["SmsFailed"] >= 1 and emitted["ComprehendFallback"] >= 1
    # ... and the escalation workflows' histories show the function that raised, then the retry.
    sfn = boto3.client("stepfunctions", region_name="us-east-1", endpoint_url=client.stack.aws_url)
    machine = next(
        m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"] if "scalation" in m["name"]
    )
    failed_then_retried = 0
    for execution in sfn.list_executions(stateMachineArn=machine)["executions"]:
        events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
        failures = [e for e in events if e["type"] == "TaskFailed"]
        failed_then_retried += any(
            "injected fault" in json.dumps(e.get("taskFailedEventDetails", {})) for e in failures
        )
    assert failed_then_retried >= 1

    # Recovered: with the faults cleared, email and SMS reach agents again (the notification self-test
    # goes through the same notify_agent as escalations).
    requests.delete(f"{client.base}/local/faults", timeout=10)
    report = client.api("POST", "/api/notifications/test", as_user="alice@demo.test").json()
    assert report["deliveries"] == {"email": "sent", "sms": "sent", "in_app": "stored"}


def test_fault_requests_are_checked(client: Client) -> None:
    for spec, words in (
        ({"ses": {"times": 0}}, "times must be an integer"),
        ({"lambda": {"function": "NoSuchFunction"}}, "function must be one of"),
        ({"dynamo": {"times": 1}}, "unknown fault target 'dynamo'"),
        (
            {"ses": {"times": 2}, "graph": {"times": 1}},
            "give exactly one of status, error_code and delay_seconds",
        ),
        ([], "expected an object"),
    ):
        response = requests.post(f"{client.base}/local/faults", json=spec, timeout=10)
        assert response.status_code == 400 and words in response.json()["error"]["message"], (
            spec,
            response.text,
        )
    # A refused request arms nothing: the next email goes out.
    report = client.api("POST", "/api/notifications/test", as_user="carol@demo.test").json()
    assert report["deliveries"]["email"] == "sent"


def test_a_message_whose_workflow_fails_waits_in_the_dead_letter_queue_and_replays(client: Client) -> None:
    client.arm({"lambda": {"function": "DetectFunction", "times": 3}})  # the first try and both retries
    customer = CROWD.customer(77)
    client.webhook(whatsapp_text(QUESTIONS[0], customer=customer, message_id="wamid.fault.parked"))
    outputs = client.stack.outputs()
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=client.stack.aws_url)

    def parked() -> list[dict] | None:
        attributes = sqs.get_queue_attributes(
            QueueUrl=outputs["FailedWorkQueueUrl"], AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) or None

    assert eventually(parked, timeout=30, interval=0.5) == 1  # visible: the queue depth is alarmed
    bot = lambda: [m for m in conversations.history(CROWD.conversation(77)) if m.sender == "bot"]  # noqa: E731
    assert bot() == []  # not answered, but stored and not forgotten

    # The operator's command (README: `STACK=... make replay`), on this stack's URL as on a stack's name.
    env = user_environment()
    looked = make("-s", "replay", f"STACK={client.base}", "DRY_RUN=1", base=env)
    assert looked.returncode == 0, looked.stdout + looked.stderr
    (waiting,) = [line for line in looked.stdout.splitlines() if line.startswith("would replay: ")]
    assert "tenant_id" in waiting and "message_key" in waiting
    assert parked() == 1  # a dry run leaves it there

    replayed = make("-s", "replay", f"STACK={client.base}", base=env)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "replayed 1, still failing 0" in replayed.stdout
    answer = eventually(lambda: bot() or None, timeout=30)
    assert len(answer) == 1 and "2-4 business days" in answer[0].text  # the KB's answer, once
    assert parked() is None
