"""Instagram Messaging: webhook payloads in, Send API requests out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liveagent.channels.models import InboundMessage, NormalizedBatch
from liveagent.observability import logger


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class Entry(_Loose):
    id: str  # the business's Instagram account id: who the tenant is
    time: int | None = None
    messaging: list[dict[str, Any]] = Field(default_factory=list)


class InstagramWebhook(_Loose):
    object: str
    entry: list[Entry] = Field(default_factory=list)


def describe(message: dict[str, Any]) -> tuple[str, str, str | None]:
    if message.get("is_deleted"):
        return "deleted", "[deleted message]", None
    if message.get("is_unsupported"):
        return "unsupported", "[unsupported message]", None
    if "quick_reply" in message:
        return "quick_reply", message.get("text") or message["quick_reply"].get("payload", ""), None
    if message.get("text"):
        return "text", message["text"], None
    attachments = message.get("attachments") or []
    if attachments:
        first = attachments[0]
        kind = first.get("type", "attachment")
        url = (first.get("payload") or {}).get("url")
        return kind, f"[{kind}]", url
    return "unknown", "[message]", None


def normalize(payload: dict[str, Any]) -> NormalizedBatch:
    hook = InstagramWebhook.model_validate(payload)
    batch = NormalizedBatch()
    for entry in hook.entry:
        for event in entry.messaging:
            try:
                message = event.get("message")
                # Echoes are our own sends; reactions, reads and postbacks are not customer questions.
                if not isinstance(message, dict) or message.get("is_echo"):
                    batch.ignored += 1
                    continue
                kind, text, media = describe(message)
                batch.messages.append(
                    InboundMessage(
                        channel="instagram",
                        account_id=entry.id,
                        customer_id=event["sender"]["id"],
                        message_id=message["mid"],
                        at=datetime.fromtimestamp(int(event.get("timestamp", 0)) / 1000, UTC),
                        kind=kind,
                        text=text,
                        media_id=media,
                        reply_to=(message.get("reply_to") or {}).get("mid"),
                    )
                )
            except Exception:
                batch.failed += 1
                logger.exception("unparseable Instagram event", extra={"item": event})
    return batch


def text_request(to: str, text: str, *, human_agent_tag: bool = False) -> dict[str, Any]:
    request: dict[str, Any] = {"recipient": {"id": to}, "message": {"text": text}}
    if human_agent_tag:
        # Between 24 h and 7 days after the customer's last message only a human agent may answer.
        request["messaging_type"] = "MESSAGE_TAG"
        request["tag"] = "HUMAN_AGENT"
    return request


def sent_message_id(response: dict[str, Any]) -> str | None:
    return response.get("message_id")
