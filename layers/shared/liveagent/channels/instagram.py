"""Instagram Messaging: webhook payloads in, Send API requests out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liveagent.channels.models import InboundMessage, NormalizedBatch, StatusUpdate
from liveagent.observability import logger, redact


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class Entry(_Loose):
    id: str  # the business's Instagram account id: who the tenant is
    time: int | None = None
    messaging: list[dict[str, Any]] = Field(default_factory=list)


class InstagramWebhook(_Loose):
    object: str
    entry: list[Entry] = Field(default_factory=list)


def describe(message: dict[str, Any]) -> dict[str, Any]:
    """kind, readable text, media url, note and whether it asks for an answer, for an Instagram message."""
    described: dict[str, Any] = {"kind": "text", "text": message.get("text") or "", "media_id": None,
                                 "note": None, "actionable": True}  # fmt: skip
    story = (message.get("reply_to") or {}).get("story")
    if story:
        described["note"] = "reply to your story"
    if message.get("is_deleted"):
        described.update(kind="deleted", text="[the customer deleted a message]", actionable=False)
        described["deletes"] = message.get("mid")
    elif message.get("is_unsupported"):
        described.update(kind="unsupported", text="[unsupported message]", actionable=False)
    elif "quick_reply" in message:
        payload = message["quick_reply"].get("payload")
        described.update(kind="quick_reply", text=message.get("text") or payload or "", payload=payload)
    elif not message.get("text") and message.get("attachments"):
        first = message["attachments"][0]
        kind = first.get("type", "attachment")
        payload = first.get("payload") or {}
        title = payload.get("title") or ""
        described.update(kind=kind, text=f"[{kind}] {title}".strip(), media_id=payload.get("url"))
        if kind == "story_mention":
            described["note"] = "mentioned you in their story"
    return described


def _event_id(event: dict[str, Any], key: str) -> str:
    return (event.get(key) or {}).get("mid") or ""


def normalize(payload: dict[str, Any]) -> NormalizedBatch:
    hook = InstagramWebhook.model_validate(payload)
    batch = NormalizedBatch()
    for entry in hook.entry:
        for event in entry.messaging:
            try:
                _normalize_event(entry.id, event, batch)
            except Exception:
                batch.failed += 1
                logger.exception("unparseable Instagram event", extra={"item": redact(event)})
    return batch


def _normalize_event(account_id: str, event: dict[str, Any], batch: NormalizedBatch) -> None:
    at = datetime.fromtimestamp(int(event.get("timestamp", 0)) / 1000, UTC)
    message = event.get("message")
    if isinstance(message, dict):
        if message.get("is_echo"):  # our own send, echoed back
            batch.ignored += 1
            return
        batch.messages.append(
            InboundMessage(
                channel="instagram",
                account_id=account_id,
                customer_id=event["sender"]["id"],
                message_id=message["mid"],
                at=at,
                reply_to=(message.get("reply_to") or {}).get("mid"),
                **describe(message),
            )
        )
    elif "postback" in event:  # an icebreaker or button tap: the customer choosing an option
        postback = event["postback"]
        batch.messages.append(
            InboundMessage(
                channel="instagram",
                account_id=account_id,
                customer_id=event["sender"]["id"],
                message_id=postback.get("mid")
                or f"postback-{event['sender']['id']}-{event.get('timestamp')}",
                at=at,
                kind="postback",
                text=postback.get("title") or postback.get("payload", ""),
                payload=postback.get("payload"),
            )
        )
    elif "read" in event and _event_id(event, "read"):
        batch.statuses.append(
            StatusUpdate(
                channel="instagram",
                account_id=account_id,
                message_id=_event_id(event, "read"),
                status="read",
                at=at,
            )
        )
    else:  # reactions and anything else are not customer questions: ignored on purpose
        batch.ignored += 1


def text_request(to: str, text: str, *, human_agent_tag: bool = False) -> dict[str, Any]:
    request: dict[str, Any] = {"recipient": {"id": to}, "message": {"text": text}}
    if human_agent_tag:
        # Between 24 h and 7 days after the customer's last message only a human agent may answer.
        request["messaging_type"] = "MESSAGE_TAG"
        request["tag"] = "HUMAN_AGENT"
    return request


def quick_replies_request(to: str, text: str, choices: list[tuple[str, str]]) -> dict[str, Any]:
    replies = [{"content_type": "text", "title": title[:20], "payload": cid} for cid, title in choices[:13]]
    return {"recipient": {"id": to}, "message": {"text": text, "quick_replies": replies}}


def sent_message_id(response: dict[str, Any]) -> str | None:
    return response.get("message_id")
