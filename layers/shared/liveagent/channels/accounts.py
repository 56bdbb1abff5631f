"""The business accounts on Meta a tenant answers from: a WhatsApp phone_number_id or an Instagram account
id, with the Secrets Manager name of its Graph API token (Channels table)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.models import Model

from liveagent import config, storage  # noqa: F401  (storage: one botocore session per thread)
from liveagent.channels import channel_key


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


def find_channel(channel: str, account_id: str) -> ChannelModel | None:
    try:
        return ChannelModel.get(channel_key(channel, account_id))
    except ChannelModel.DoesNotExist:
        return None
