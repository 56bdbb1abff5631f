"""The one internal shape every inbound Meta event is normalized into."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from liveagent.channels import ChannelName

DeliveryStatus = Literal["pending", "unknown", "sent", "delivered", "read", "failed"]


class InboundMessage(BaseModel):
    channel: ChannelName
    account_id: str  # WhatsApp phone_number_id / Instagram business account id (the recipient)
    customer_id: str  # wa_id / Instagram-scoped user id
    customer_name: str | None = None
    message_id: str  # wamid / mid: the dedupe key
    at: datetime
    kind: str  # text, image, location, button_reply, ...
    text: str  # the customer's words, or a readable placeholder for agents ("[image] caption")
    media_id: str | None = None
    reply_to: str | None = None
    note: str | None = None  # for agents: "forwarded", "via ad: ...", "reply to your story"
    # False for events that are not a request to answer (reactions, deletions, stickers, unsupported):
    # stored for the conversation's record, but no detection and no escalation.
    actionable: bool = True
    deletes: str | None = None  # the Meta id of the customer's message this one deletes
    payload: str | None = None  # the id of the button / quick reply the customer tapped


class StatusUpdate(BaseModel):
    channel: ChannelName
    account_id: str
    message_id: str  # the Graph id of a message we sent
    status: DeliveryStatus
    at: datetime
    error_code: int | None = None
    error_title: str | None = None
    callback_data: str | None = None  # WhatsApp's biz_opaque_callback_data: our message, as we sent it


class NormalizedBatch(BaseModel):
    messages: list[InboundMessage] = Field(default_factory=list)
    statuses: list[StatusUpdate] = Field(default_factory=list)
    ignored: int = 0  # echoes, reactions we do not act on, unknown fields
    failed: int = 0  # items that could not be parsed (logged; neighbours still processed)
