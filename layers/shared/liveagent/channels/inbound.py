"""Accepting Meta webhook deliveries: which tenant, store once, hand off to the message workflow.

Nothing slow runs here (no detection, no Graph API, no email): Meta wants a fast 200.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities import parameters

from liveagent import config, conversations
from liveagent.channels import find_channel, instagram, whatsapp
from liveagent.channels.models import InboundMessage, NormalizedBatch
from liveagent.ids import new_ulid, utc_now
from liveagent.observability import logger, metrics

SUPPORTED_OBJECTS = {"whatsapp_business_account": whatsapp, "instagram": instagram}


@cache
def _sfn():
    return boto3.client("stepfunctions", region_name=config.region())


def meta_secrets() -> dict[str, str]:
    """{"app_secret", "instagram_app_secret", "verify_token"} from Secrets Manager, cached 5 minutes."""
    return parameters.get_secret(config.meta_secret_name(), transform="json", max_age=300)


def app_secrets() -> list[str]:
    secrets = meta_secrets()
    return [s for s in (secrets.get("app_secret"), secrets.get("instagram_app_secret")) if s]


def normalize(payload: dict[str, Any]) -> NormalizedBatch | None:
    """None for objects we do not handle (page, user, ...): acknowledged and ignored."""
    module = SUPPORTED_OBJECTS.get(payload.get("object", ""))
    return module.normalize(payload) if module else None


def _start_message_workflow(tenant_id: str, message: conversations.MessageModel) -> None:
    try:
        _start_execution(tenant_id, message)
    except Exception:
        conversations.mark_message(message, state="received")  # a redelivery will try again
        raise
    conversations.mark_message(message, state="dispatched")


def _start_execution(tenant_id: str, message: conversations.MessageModel) -> None:
    _sfn().start_execution(
        stateMachineArn=config.message_state_machine_arn(),
        name=f"msg-{new_ulid()}",  # explicit: moto names every unnamed execution "None"
        input=json.dumps(
            {
                "tenant_id": tenant_id,
                "conversation_id": message.conversation_id,
                "message_key": message.message_key,
            }
        ),
    )
    conversations.mark_message(message, state="dispatched")


def accept_message(message: InboundMessage) -> str:
    """Store one customer message and start its workflow; returns what happened (for counting)."""
    channel = find_channel(message.channel, message.account_id)
    if channel is None:
        logger.warning(
            "message for an unknown account",
            extra={"channel": message.channel, "account": message.account_id},
        )
        metrics.add_metric(name="UnknownAccount", unit="Count", value=1)
        return "unknown_account"
    stale = (utc_now() - message.at).total_seconds() > config.max_message_age_seconds()
    stored, _ = conversations.store_inbound(channel.tenant_id, message, stale=stale)
    if message.deletes:
        # Idempotent; Instagram sends a deletion under the deleted message's own mid, which the dedupe
        # then sees as a redelivery.
        conversations.mark_deleted(stored.conversation_id, message.deletes)
    if not message.actionable:
        return "stored"  # kept for the conversation's record; nothing to answer
    if stale:
        metrics.add_metric(name="StaleMessage", unit="Count", value=1)
        return "stale"
    # New, or stored earlier but never handed off (the start failed and Meta retried): exactly one
    # delivery wins the claim and starts the workflow.
    if not conversations.claim_dispatch(stored):
        metrics.add_metric(name="DuplicateMessage", unit="Count", value=1)
        return "duplicate"
    _start_message_workflow(channel.tenant_id, stored)
    return "accepted"


def accept(batch: NormalizedBatch) -> dict[str, int]:
    counts = {"accepted": 0, "stored": 0, "duplicate": 0, "stale": 0, "unknown_account": 0, "statuses": 0,
              "statuses_parked": 0, "failed": 0}  # fmt: skip
    counts["unparseable"] = batch.failed  # logged by the normalizer; retrying would not help
    counts["ignored"] = batch.ignored
    for message in batch.messages:
        logger.append_keys(message_id=message.message_id)
        try:
            counts[accept_message(message)] += 1
        except Exception:
            # Isolate the item; the webhook answers 500 after the batch so Meta redelivers it (dedupe
            # makes the neighbours' second delivery harmless).
            counts["failed"] += 1
            logger.exception("message not accepted")
    for status in batch.statuses:
        try:
            counts["statuses" if conversations.apply_status(status) else "statuses_parked"] += 1
        except Exception:
            counts["failed"] += 1
            logger.exception("status not applied")
    logger.remove_keys(["message_id"])
    return counts
