"""Meta channels (WhatsApp Cloud API, Instagram Messaging): who a business account belongs to, inbound
normalization, signatures, and outbound sends through the Graph API."""

from __future__ import annotations

from typing import Literal

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.models import Model

from liveagent import config

ChannelName = Literal["whatsapp", "instagram"]
_PREFIX = {"whatsapp": "wa", "instagram": "ig"}


class ChannelModel(Model):
    """One business account on Meta: a WhatsApp phone_number_id or an Instagram account id."""

    class Meta:
        table_name = config.table_name("CHANNELS_TABLE")
        region = config.region()

    channel_key = UnicodeAttribute(hash_key=True)  # "wa#<phone_number_id>" | "ig#<account_id>"
    tenant_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    account_id = UnicodeAttribute()
    display = UnicodeAttribute(default="")
    token_secret = UnicodeAttribute()  # Secrets Manager name of the Graph API access token
    # A test channel (make smoke): the whole pipeline runs, but nothing is sent to Meta; each outbound
    # message is recorded as sent with a "test." id.
    test_mode = BooleanAttribute(default=False)


def channel_key(channel: str, account_id: str) -> str:
    return f"{_PREFIX[channel]}#{account_id}"


def find_channel(channel: str, account_id: str) -> ChannelModel | None:
    try:
        return ChannelModel.get(channel_key(channel, account_id))
    except ChannelModel.DoesNotExist:
        return None
