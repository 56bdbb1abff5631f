"""WhatsApp Cloud API: webhook payloads in, message requests out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liveagent.channels.models import InboundMessage, NormalizedBatch, StatusUpdate
from liveagent.observability import logger

_MEDIA = ("image", "video", "audio", "document", "sticker")
# Events that are not a customer speaking to the business: counted and skipped on purpose.
_IGNORED_TYPES = {"reaction", "revoke", "system", "ephemeral", "request_welcome"}
_STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 3, "failed": 4}


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class Metadata(_Loose):
    phone_number_id: str
    display_phone_number: str | None = None


class Contact(_Loose):
    wa_id: str | None = None
    profile: dict[str, Any] = Field(default_factory=dict)


class ChangeValue(_Loose):
    messaging_product: str | None = None
    metadata: Metadata | None = None
    contacts: list[Contact] = Field(default_factory=list)
    messages: list[dict[str, Any]] = Field(default_factory=list)
    statuses: list[dict[str, Any]] = Field(default_factory=list)


class Change(_Loose):
    field: str
    value: ChangeValue


class Entry(_Loose):
    id: str
    changes: list[Change] = Field(default_factory=list)


class WhatsAppWebhook(_Loose):
    object: str
    entry: list[Entry] = Field(default_factory=list)


def _at(timestamp: str | int | None) -> datetime:
    return datetime.fromtimestamp(int(timestamp or 0), UTC)


def describe(message: dict[str, Any]) -> tuple[str, str, str | None]:
    """(kind, readable text, media id) for any WhatsApp message type; agents read the text."""
    kind = message.get("type", "unknown")
    body = message.get(kind) if isinstance(message.get(kind), dict) else {}
    if kind == "text":
        return kind, body.get("body", ""), None
    if kind in _MEDIA:
        caption = body.get("caption") or body.get("filename") or ""
        return kind, f"[{kind}] {caption}".strip(), body.get("id")
    if kind == "location":
        place = ", ".join(p for p in (body.get("name"), body.get("address")) if p)
        where = place or f"{body.get('latitude')}, {body.get('longitude')}"
        return kind, f"[location] {where}", None
    if kind == "contacts":
        names = [c.get("name", {}).get("formatted_name", "?") for c in message.get("contacts", [])]
        return kind, f"[contacts] {', '.join(names)}", None
    if kind == "interactive":
        reply_type = body.get("type", "")
        reply = body.get(reply_type, {}) if reply_type else {}
        return reply_type or kind, reply.get("title", "[interactive]"), None
    if kind == "button":
        return kind, body.get("text", "[button]"), None
    if kind == "order":
        items = body.get("product_items", [])
        return kind, f"[order] {len(items)} item(s) {body.get('text', '')}".strip(), None
    if kind == "edit":
        inner = body.get("message", {})
        _, text, media = describe(inner)
        return "edited", f"[edited] {text}", media
    if kind == "unsupported":
        return kind, "[unsupported message]", None
    return kind, f"[{kind}]", None


def normalize(payload: dict[str, Any]) -> NormalizedBatch:
    hook = WhatsAppWebhook.model_validate(payload)
    batch = NormalizedBatch()
    for entry in hook.entry:
        for change in entry.changes:
            value = change.value
            if change.field != "messages" or value.metadata is None:
                batch.ignored += 1
                continue
            account = value.metadata.phone_number_id
            names = {c.wa_id: c.profile.get("name") for c in value.contacts}
            for raw in value.messages:
                try:
                    if raw.get("type") in _IGNORED_TYPES:
                        batch.ignored += 1
                        continue
                    kind, text, media = describe(raw)
                    batch.messages.append(
                        InboundMessage(
                            channel="whatsapp",
                            account_id=account,
                            customer_id=raw["from"],
                            customer_name=names.get(raw["from"]),
                            message_id=raw["id"],
                            at=_at(raw.get("timestamp")),
                            kind=kind,
                            text=text,
                            media_id=media,
                            reply_to=(raw.get("context") or {}).get("id"),
                        )
                    )
                except Exception:  # one bad item never drops its neighbours
                    batch.failed += 1
                    logger.exception("unparseable WhatsApp message", extra={"item": raw})
            for raw in value.statuses:
                try:
                    if raw.get("status") not in _STATUS_RANK:
                        batch.ignored += 1
                        continue
                    error = (raw.get("errors") or [{}])[0]
                    batch.statuses.append(
                        StatusUpdate(
                            channel="whatsapp",
                            account_id=account,
                            message_id=raw["id"],
                            status="read" if raw["status"] == "played" else raw["status"],
                            at=_at(raw.get("timestamp")),
                            error_code=error.get("code"),
                            error_title=error.get("title"),
                        )
                    )
                except Exception:
                    batch.failed += 1
                    logger.exception("unparseable WhatsApp status", extra={"item": raw})
    return batch


def text_request(to: str, text: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": text},
    }


def template_request(to: str, name: str, language: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {"name": name, "language": {"code": language}},
    }


def sent_message_id(response: dict[str, Any]) -> str | None:
    messages = response.get("messages") or [{}]
    return messages[0].get("id")
