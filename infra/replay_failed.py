"""Replay the work that failed after its retries and waits in the stack's dead-letter queue.

    python -m infra.replay_failed <stack-name> [--region R] [--dry-run]

Each message is the original asynchronous event (e.g. the hourly auto-close); it is invoked again on the
function that failed (the message's `function` attribute when present, else the API function, the only
asynchronous target today) and deleted from the queue only when that invocation succeeds.
"""

from __future__ import annotations

import argparse
import json
import sys

import boto3


def stack_outputs(cloudformation, stack: str) -> dict[str, str]:
    resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}


def main(argv: list[str] | None = None) -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("stack")
    parser.add_argument("--region")
    parser.add_argument("--dry-run", action="store_true", help="show what would be replayed")
    args = parser.parse_args(argv)
    session = boto3.Session(region_name=args.region)
    physical = stack_outputs(session.client("cloudformation"), args.stack)
    sqs, lambda_ = session.client("sqs"), session.client("lambda")
    queue = physical["FailedWorkQueue"]
    replayed = failed = 0
    while True:
        batch = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    MessageAttributeNames=["All"]).get("Messages", [])  # fmt: skip
        if not batch:
            break
        for message in batch:
            attributes = message.get("MessageAttributes", {})
            function = attributes.get("function", {}).get("StringValue") or physical["ApiFunction"]
            if args.dry_run:
                print(f"would replay on {function}: {message['Body'][:200]}")
                continue
            result = lambda_.invoke(FunctionName=function, Payload=message["Body"].encode())
            if "FunctionError" in result:
                failed += 1
                print(f"still failing on {function}: {json.loads(result['Payload'].read())}", file=sys.stderr)
                continue
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            replayed += 1
        if args.dry_run:
            break
    print(f"replayed {replayed}, still failing {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
