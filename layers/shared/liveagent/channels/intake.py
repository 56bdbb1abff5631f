"""What the webhook does with a signed delivery: its items onto the inbound FIFO queue, each in its
conversation's group. boto3, Powertools' parameters and the standard library only: the webhook's cold
start is budgeted tightest (no pydantic, no PynamoDB here or in what this imports)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities import parameters

from liveagent.channels import envelope

SQS_BATCH = 10  # SendMessageBatch's most


@cache
def _sqs() -> Any:
    return boto3.client("sqs")


def meta_secrets() -> dict[str, str]:
    """{"app_secret", "instagram_app_secret", "verify_token"} from Secrets Manager, cached 5 minutes."""
    return parameters.get_secret(os.environ["META_SECRET_NAME"], transform="json", max_age=300)


def app_secrets() -> list[str]:
    secrets = meta_secrets()
    return [s for s in (secrets.get("app_secret"), secrets.get("instagram_app_secret")) if s]


def enqueue(items: list[envelope.Item]) -> None:
    """Every item to the inbound queue; any not taken fails the request, so Meta delivers again (the
    queue's deduplication and the store make the second delivery of the others harmless)."""
    queue = os.environ["INBOUND_QUEUE_URL"]
    for start in range(0, len(items), SQS_BATCH):
        entries = [
            {
                "Id": str(n),
                "MessageBody": i.body,
                "MessageGroupId": i.group,
                "MessageDeduplicationId": i.dedupe,
            }
            for n, i in enumerate(items[start : start + SQS_BATCH])
        ]
        failed = _sqs().send_message_batch(QueueUrl=queue, Entries=entries).get("Failed")
        if failed:
            raise RuntimeError(f"{len(failed)} item(s) not queued: {[f.get('Code') for f in failed]}")
