"""WhatsApp Cloud API: webhook payloads in, message requests out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liveagent.channels.models import InboundMessage, NormalizedBatch, StatusUpdate
from liveagent.observability import logger, redact

_MEDIA = ("image", "video", "audio", "document", "sticker")
# Events that are not a customer speaking to the business: counted and skipped on purpose.
_IGNORED_TYPES = {"system", "ephemeral", "request_welcome"}
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


def describe(message: dict[str, Any]) -> dict[str, Any]:
    """kind, readable text, media id, note and whether it asks for an answer, for any WhatsApp type."""
    kind = message.get("type", "unknown")
    body = message.get(kind) if isinstance(message.get(kind), dict) else {}
    context = message.get("context") or {}
    note = None
    if context.get("frequently_forwarded"):
        note = "forwarded many times"
    elif context.get("forwarded"):
        note = "forwarded"
    if message.get("referral"):
        note = f"via ad: {message['referral'].get('headline') or message['referral'].get('source_url', '')}"
    described: dict[str, Any] = {
        "kind": kind,
        "text": f"[{kind}]",
        "media_id": None,
        "note": note,
        "actionable": True,
    }
    if kind == "text":
        described["text"] = body.get("body", "")
    elif kind in _MEDIA:
        if kind == "audio" and body.get("voice"):
            described["kind"] = "voice"
        caption = body.get("caption") or body.get("filename") or ""
        described.update(text=f"[{described['kind']}] {caption}".strip(), media_id=body.get("id"))
        described["actionable"] = kind != "sticker"
    elif kind == "location":
        place = ", ".join(p for p in (body.get("name"), body.get("address")) if p)
        coordinates = f"{body.get('latitude')}, {body.get('longitude')}"
        described["text"] = f"[location] {place or coordinates}"
    elif kind == "contacts":
        names = [c.get("name", {}).get("formatted_name", "?") for c in message.get("contacts", [])]
        described["text"] = f"[contacts] {', '.join(names)}"
    elif kind == "interactive":
        reply_type = body.get("type", "")
        reply = body.get(reply_type, {}) if reply_type else {}
        described.update(
            kind=reply_type or kind, text=reply.get("title", "[interactive]"), payload=reply.get("id")
        )
    elif kind == "button":
        described.update(text=body.get("text", "[button]"), payload=body.get("payload"))
    elif kind == "order":
        items = body.get("product_items", [])
        described["text"] = f"[order] {len(items)} item(s) {body.get('text', '')}".strip()
    elif kind == "reaction":
        emoji = body.get("emoji")
        described.update(text=f"[reaction {emoji}]" if emoji else "[reaction removed]", actionable=False)
    elif kind == "revoke":
        described.update(kind="deleted", text="[the customer deleted a message]", actionable=False)
        described["deletes"] = body.get("original_message_id")
    elif kind == "edit":
        inner = describe(body.get("message", {}))
        described.update(kind="edited", text=f"[edited] {inner['text']}", media_id=inner["media_id"])
    elif kind == "unsupported":
        described.update(text="[unsupported message]", actionable=False)
    return described


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
                    batch.messages.append(
                        InboundMessage(
                            channel="whatsapp",
                            account_id=account,
                            customer_id=raw["from"],
                            customer_name=names.get(raw["from"]),
                            message_id=raw["id"],
                            at=_at(raw.get("timestamp")),
                            reply_to=(raw.get("context") or {}).get("id"),
                            **describe(raw),
                        )
                    )
                except Exception:  # one bad item never drops its neighbours
                    batch.failed += 1
                    logger.exception("unparseable WhatsApp message", extra={"item": redact(raw)})
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
                            callback_data=raw.get("biz_opaque_callback_data"),
                        )
                    )
                except Exception:
                    batch.failed += 1
                    logger.exception("unparseable WhatsApp status", extra={"item": redact(raw)})
    return batch


def text_request(to: str, text: str, *, reply_to: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": text},
    }
    if reply_to:
        request["context"] = {"message_id": reply_to}  # shown as a reply to that customer message
    return request


def template_request(
    to: str, name: str, language: str, components: list[dict] | None = None
) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components:
        template["components"] = components
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": template,
    }


def sent_message_id(response: dict[str, Any]) -> str | None:
    messages = response.get("messages") or [{}]
    return messages[0].get("id")


def buttons_request(to: str, text: str, choices: list[tuple[str, str]]) -> dict[str, Any]:
    """Interactive reply buttons (at most 3; titles at most 20 characters); the id comes back on tap."""
    buttons = [{"type": "reply", "reply": {"id": cid, "title": title[:20]}} for cid, title in choices[:3]]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": text}, "action": {"buttons": buttons}},
    }
