"""Meta channels (WhatsApp Cloud API, Instagram Messaging): who a business account belongs to
(`accounts`), inbound normalization, signatures, and outbound sends through the Graph API.

Kept free of imports: the webhook imports only what its cold start can afford from here."""

from __future__ import annotations

from typing import Literal

ChannelName = Literal["whatsapp", "instagram"]
_PREFIX = {"whatsapp": "wa", "instagram": "ig"}


def channel_key(channel: str, account_id: str) -> str:
    return f"{_PREFIX[channel]}#{account_id}"
