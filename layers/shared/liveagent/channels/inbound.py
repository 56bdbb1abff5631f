"""Behind the webhook: one Meta item at a time per conversation (the inbound FIFO queue's consumer).

Which tenant, store the message once, and run its message workflow synchronously to the end, so the next
item of the same conversation is handled only after this one's decision (answer, join, escalate) is made:
no bot answer ever goes to a message written after an escalating one. Every step is safe to run again
(the queue delivers at least once): the store is a conditional put, the conversation header is made
whole on every delivery, and the workflow's steps are idempotent.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import boto3
from pydantic import ValidationError

from liveagent import config, conversations
from liveagent.channels import instagram, whatsapp
from liveagent.channels.accounts import find_channel
from liveagent.channels.models import InboundMessage, NormalizedBatch
from liveagent.ids import ulid_for, utc_now
from liveagent.observability import logger, metrics, redact

SUPPORTED_OBJECTS = {"whatsapp_business_account": whatsapp, "instagram": instagram}
DONE_STATES = ("handled", "parked")  # the message's workflow has run to its end


class WorkflowUnfinished(RuntimeError):
    """The message's workflow did not run to its end (timed out, or could not start): the queue delivers
    the item again."""


@cache
def _sfn():
    return boto3.client("stepfunctions", region_name=config.region())


def normalize(payload: dict[str, Any]) -> NormalizedBatch | None:
    """None for objects we do not handle (page, user, ...): acknowledged and ignored."""
    module = SUPPORTED_OBJECTS.get(payload.get("object", ""))
    return module.normalize(payload) if module else None


def run_message_workflow(tenant_id: str, message: conversations.MessageModel) -> str:
    """The message workflow for one message, to its end: "handled", or "parked" when it failed after its
    retries (its Catch parked the work in the dead-letter queue for replay and the conversation goes on)."""
    started = _sfn().start_sync_execution(
        stateMachineArn=config.message_state_machine_arn(),
        name=f"msg-{ulid_for(message.message_key, utc_now())}",
        input=json.dumps(
            {
                "tenant_id": tenant_id,
                "conversation_id": message.conversation_id,
                "message_key": message.message_key,
            }
        ),
    )
    status = started["status"]
    if status == "SUCCEEDED":
        return "handled"
    if status == "FAILED" and started.get("error") == "MessageWorkflowFailed":
        metrics.add_metric(name="MessageParked", unit="Count", value=1)
        return "parked"
    raise WorkflowUnfinished(f"message workflow {status}: {started.get('error')}")


def accept_message(message: InboundMessage) -> str:
    """Store one customer message and run its workflow; returns what happened (for counting)."""
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
    if stored.state in DONE_STATES:
        metrics.add_metric(name="DuplicateMessage", unit="Count", value=1)
        return "duplicate"
    outcome = run_message_workflow(channel.tenant_id, stored)
    conversations.mark_message(stored, state=outcome)
    return outcome


def handle_item(body: str) -> dict[str, int]:
    """One queued item (a Meta envelope with one message or status). Items that cannot be parsed are
    logged and dropped (delivering them again would not help); anything else that fails raises, and the
    queue delivers the item again, the conversation's later items waiting behind it."""
    try:
        payload = json.loads(body)
        batch = normalize(payload) if isinstance(payload, dict) else None
    except (ValueError, ValidationError):
        logger.error("unparseable item dropped", extra={"item": redact(body[:2000])})
        metrics.add_metric(name="UnparseableItem", unit="Count", value=1)
        return {"unparseable": 1}
    counts: dict[str, int] = {}
    if batch is None:
        return {"ignored": 1}
    for message in batch.messages:
        logger.append_keys(message_id=message.message_id)
        outcome = accept_message(message)
        counts[outcome] = counts.get(outcome, 0) + 1
    for status in batch.statuses:
        counts["statuses" if conversations.apply_status(status) else "statuses_parked"] = (
            counts.get("statuses", 0) + 1
        )
    logger.remove_keys(["message_id"])
    return counts
