"""Replay the work that failed after its retries and waits in the stack's dead-letter queue.

    python -m infra.replay_failed <stack-name or local URL> [--region R] [--dry-run]     (make replay)

Two kinds of work land there:
- a customer message whose message workflow failed (attribute `workflow` = "message"; body
  {tenant_id, conversation_id, message_key, error}): its workflow is started again for the stored message;
- an asynchronous Lambda invocation that failed its retries (the hourly auto-close): Lambda's
  destination record names the function and carries the event; it is invoked again with that event;
- an event EventBridge could not deliver to the schedule's target: invoked again on the auto-close
  function (the `function` attribute when present).
A queue message is deleted only when its replay was accepted (workflow started, or invocation succeeded).
The queue, the workflow and the function are read from the stack's Outputs (`infra.target.resolve`), so the
same command drains a deployed stack and the local one.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from dataclasses import dataclass, field
from typing import Any

from infra.target import require_outputs, resolve

# What a replay reads and starts (`replay`'s names), by the stack Output that holds each.
REPLAY_OUTPUTS = {
    "FailedWorkQueue": "FailedWorkQueueUrl",
    "MessageWorkflow": "MessageWorkflowArn",
    "AutoCloseFunction": "AutoCloseFunctionName",
}


@dataclass
class ReplayReport:
    replayed: int = 0
    failed: int = 0
    would_replay: list[str] = field(default_factory=list)


def replay_targets(outputs: dict[str, str], stack: str = "the stack") -> dict[str, str]:
    """`replay`'s queue, workflow and function from a stack's Outputs."""
    require_outputs(stack, outputs, REPLAY_OUTPUTS.values())
    return {name: outputs[key] for name, key in REPLAY_OUTPUTS.items()}


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _replay_one(message: dict, physical: dict[str, str], clients: dict[str, Any]) -> str | None:
    """None when the work was accepted again, else why not."""
    attributes = message.get("MessageAttributes", {})
    if attributes.get("workflow", {}).get("StringValue") == "message":
        work = json.loads(message["Body"])
        clients["stepfunctions"].start_execution(
            stateMachineArn=physical["MessageWorkflow"],
            name=f"replay-{uuid.uuid4().hex}",
            input=json.dumps({k: work[k] for k in ("tenant_id", "conversation_id", "message_key")}),
        )
        return None
    function = attributes.get("function", {}).get("StringValue") or physical["AutoCloseFunction"]
    payload = message["Body"]
    record = _json_or_none(payload)
    if isinstance(record, dict) and {"requestContext", "requestPayload"} <= set(record):
        function = record["requestContext"]["functionArn"].removesuffix(":$LATEST")
        payload = json.dumps(record["requestPayload"])
    result = clients["lambda"].invoke(FunctionName=function, Payload=payload.encode())
    if "FunctionError" in result:
        return f"still failing on {function}: {json.loads(result['Payload'].read())}"
    return None


def replay(physical: dict[str, str], clients: dict[str, Any], dry_run: bool = False) -> ReplayReport:
    """Drain the dead-letter queue once (`physical`: `REPLAY_OUTPUTS`' names -> the queue URL, the workflow's
    ARN, the function's name)."""
    sqs, queue = clients["sqs"], physical["FailedWorkQueue"]
    report = ReplayReport()
    while True:
        # A dry run only peeks (the messages stay visible); a replay hides each message while it works on
        # it, so one still failing is not retried again in this run.
        peek = {"VisibilityTimeout": 0} if dry_run else {}
        batch = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    MessageAttributeNames=["All"], **peek).get("Messages", [])  # fmt: skip
        if not batch:
            return report
        for message in batch:
            if dry_run:
                report.would_replay.append(message["Body"][:200])
                continue
            problem = _replay_one(message, physical, clients)
            if problem:
                report.failed += 1
                print(problem, file=sys.stderr)
                continue
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            report.replayed += 1
        if dry_run:
            return report


def main(argv: list[str] | None = None) -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("stack")
    parser.add_argument("--region")
    parser.add_argument("--dry-run", action="store_true", help="show what would be replayed")
    args = parser.parse_args(argv)
    target = resolve(args.stack, args.region)
    target.activate()  # the local stack's fake credentials; in AWS, the region the stack was found in
    clients = {name: target.client(name) for name in ("sqs", "lambda", "stepfunctions")}
    report = replay(replay_targets(target.outputs, target.name), clients, dry_run=args.dry_run)
    for body in report.would_replay:
        print(f"would replay: {body}")
    print(f"replayed {report.replayed}, still failing {report.failed}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
