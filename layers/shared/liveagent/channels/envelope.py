"""Splitting a Meta webhook delivery into its items, each addressed to its conversation's turn.

The webhook only checks the signature and hands every item to the inbound FIFO queue, grouped by the
conversation it belongs to (the business account and the customer), so the messages of one conversation
are handled one at a time, in order, while different conversations go on in parallel. Each item keeps
Meta's own shape (one message or status in the envelope it came in), so the consumer reads it with the
same normalizer as a whole delivery.

Standard library only: this runs on the webhook's path, whose cold start is budgeted tightest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Item:
    group: str  # SQS FIFO MessageGroupId: "<channel>#<business account>#<customer>"
    dedupe: str  # SQS FIFO MessageDeduplicationId: the item's own id at Meta
    body: str  # the item alone, in Meta's envelope (JSON)


class Malformed(ValueError):
    """Not the shape of a Meta delivery (the webhook answers 400)."""


def _list(value: Any, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed(f"{what} is not a list")
    for element in value:
        if not isinstance(element, dict):
            raise Malformed(f"an item of {what} is not an object")
    return value


def _object(value: Any, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Malformed(f"{what} is not an object")
    return value


def _dedupe(*parts: Any) -> str:
    """Meta's ids are mostly within SQS's 128 characters of [A-Za-z0-9] and punctuation; a hash always is."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _whatsapp(payload: dict[str, Any]) -> list[Item]:
    items = []
    for entry in _list(payload.get("entry"), "entry"):
        for change in _list(entry.get("changes"), "changes"):
            value = _object(change.get("value"), "value")
            account = str(_object(value.get("metadata"), "metadata").get("phone_number_id", ""))
            base = {k: v for k, v in value.items() if k not in ("messages", "statuses", "contacts")}
            contacts = _list(value.get("contacts"), "contacts")
            for message in _list(value.get("messages"), "messages"):
                customer = str(message.get("from", ""))
                own = [c for c in contacts if str(c.get("wa_id")) == customer] or contacts[:1]
                one = {**base, "contacts": own, "messages": [message]}
                items.append(
                    _item(payload, entry, change, one, f"wa#{account}#{customer}", message.get("id"))
                )
            for status in _list(value.get("statuses"), "statuses"):
                customer = str(status.get("recipient_id", ""))
                one = {**base, "statuses": [status]}
                key = (status.get("id"), status.get("status"), status.get("timestamp"))
                items.append(_item(payload, entry, change, one, f"wa#{account}#{customer}", key))
            if not value.get("messages") and not value.get("statuses"):
                items.append(
                    _item(payload, entry, change, value, f"wa#{account}#", (entry.get("id"), change))
                )
    return items


def _item(payload: dict, entry: dict, change: dict, value: dict, group: str, key: Any) -> Item:
    one_entry = {
        **{k: v for k, v in entry.items() if k != "changes"},
        "changes": [{**change, "value": value}],
    }
    return Item(group, _dedupe(group, key), json.dumps({"object": payload["object"], "entry": [one_entry]}))


def _instagram(payload: dict[str, Any]) -> list[Item]:
    items = []
    for entry in _list(payload.get("entry"), "entry"):
        account = str(entry.get("id", ""))
        rest = {k: v for k, v in entry.items() if k not in ("messaging", "changes")}
        for event in _list(entry.get("messaging"), "messaging"):
            message = _object(event.get("message"), "message")
            echo = bool(message.get("is_echo"))
            party = _object(event.get("recipient") if echo else event.get("sender"), "sender")
            customer = str(party.get("id", ""))
            group = f"ig#{account}#{customer}"
            # A deletion comes under the deleted message's own mid: it is another item all the same.
            key = (message.get("mid"), bool(message.get("is_deleted")), sorted(event), event.get("timestamp"))
            body = json.dumps({"object": "instagram", "entry": [{**rest, "messaging": [event]}]})
            items.append(Item(group, _dedupe(group, key), body))
        if entry.get("changes"):
            body = json.dumps({"object": "instagram", "entry": [{**rest, "changes": entry["changes"]}]})
            items.append(Item(f"ig#{account}#", _dedupe(account, entry.get("changes")), body))
    return items


SPLITTERS = {"whatsapp_business_account": _whatsapp, "instagram": _instagram}


def split(payload: dict[str, Any]) -> list[Item] | None:
    """The delivery's items; None for objects we do not handle (page, user, ...), acknowledged and
    dropped. Malformed (the envelope's lists and objects are not): raised, the webhook answers 400. An item
    whose own fields are wrong still becomes an item: the consumer logs it, its neighbours go on."""
    splitter = SPLITTERS.get(payload.get("object", ""))
    return splitter(payload) if splitter else None
