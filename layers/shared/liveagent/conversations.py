"""Conversations with customers and every message in them, both directions (Messages table).

One table holds a conversation's header item (message_key "#conversation") and its messages; the
header carries the open ticket so that "which ticket does this customer's message join" is one read,
and claiming the conversation for a new ticket is one conditional write.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection, LocalSecondaryIndex
from pynamodb.models import Model

from liveagent import (
    config,
    runtime,
    storage,  # noqa: F401  (its table model shares one botocore session per thread)
)
from liveagent.channels.models import InboundMessage, StatusUpdate
from liveagent.errors import NotFound
from liveagent.ids import iso, new_ulid, now_iso, parse_iso, utc_now

HEADER_KEY = "#conversation"
# "unknown": the send was interrupted after Meta may have received it (a read timeout, a sandbox that
# died mid-call); any status Meta then reports moves it on.
DELIVERY_RANK = {"pending": 0, "unknown": 0.5, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
SEND_LEASE_SECONDS = 60  # a claim made outside Lambda (tools) is held this long
PENDING_STATUS_SECONDS = 7 * 86400  # as long as Meta retries


def _conditional_failed(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


class ByTime(LocalSecondaryIndex):
    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    conversation_id = UnicodeAttribute(hash_key=True)
    at_key = UnicodeAttribute(range_key=True)


class Attention(GlobalSecondaryIndex):
    class Meta:
        index_name = "attention"
        projection = AllProjection()

    attention_key = UnicodeAttribute(hash_key=True)  # the tenant
    at_key = UnicodeAttribute(range_key=True)


class ByGraphId(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_graph_id"
        projection = KeysOnlyProjection()

    graph_message_id = UnicodeAttribute(hash_key=True)


class MessageModel(Model):
    class Meta:
        table_name = config.table_name("MESSAGES_TABLE")
        region = config.region()

    conversation_id = UnicodeAttribute(hash_key=True)
    message_key = UnicodeAttribute(range_key=True)  # "in#<wamid|mid>" or "out#<ulid>"
    at_key = UnicodeAttribute()  # "<iso>#<message_key>": conversation order
    tenant_id = UnicodeAttribute()
    at = UnicodeAttribute()
    sender = UnicodeAttribute()  # customer | bot | agent
    author = UnicodeAttribute(null=True)  # agent id for agent messages
    kind = UnicodeAttribute(default="text")
    text = UnicodeAttribute(default="")
    media_id = UnicodeAttribute(null=True)
    reply_to = UnicodeAttribute(null=True)
    ticket_id = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)  # inbound: received | handled | parked | stored | stale
    decision = UnicodeAttribute(null=True)  # inbound: the bot's decision (answer | escalate), recorded once
    delivery = UnicodeAttribute(null=True)  # outbound: pending | sent | delivered | read | failed
    delivery_rank = NumberAttribute(null=True)  # statuses only move forward (conditional on this)
    delivery_error = UnicodeAttribute(null=True)
    send_started_at = UnicodeAttribute(null=True)  # outbound: the Graph API call began (one per message)
    send_lease_until = UnicodeAttribute(null=True)  # ... by an invocation that ends by then at the latest
    note = UnicodeAttribute(null=True)  # "forwarded", "via ad: ...", "reply to your story"
    payload = UnicodeAttribute(null=True)  # the tapped button's id
    deleted_at = UnicodeAttribute(null=True)  # the customer deleted this message on their side
    graph_message_id = UnicodeAttribute(null=True)
    attention_key = UnicodeAttribute(null=True)  # outbound, not known delivered: the tenant (sparse index)
    resent_as = UnicodeAttribute(null=True)  # a person resent it: the new message's key
    by_time = ByTime()
    by_graph_id = ByGraphId()
    attention = Attention()

    def to_api(self) -> dict:
        return {
            "id": self.message_key,
            "from": self.sender,
            "author": self.author,
            "kind": self.kind,
            "text": self.text,
            "at": self.at,
            "delivery": self.delivery,
            "delivery_error": self.delivery_error,
            "resent_as": self.resent_as,
            "ticket_id": self.ticket_id,
            "note": self.note,
            "deleted": bool(self.deleted_at),
        }


class PendingStatusModel(Model):
    """A delivery status that arrived before the message it is about was stored (Meta is unordered).
    Kept in the Messages table under "#status#<graph id>" until the message shows up, or TTL."""

    class Meta:
        table_name = config.table_name("MESSAGES_TABLE")
        region = config.region()

    conversation_id = UnicodeAttribute(hash_key=True)  # "#status#<graph message id>"
    message_key = UnicodeAttribute(range_key=True)  # the status
    error = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()


class ConversationModel(Model):
    class Meta:
        table_name = config.table_name("MESSAGES_TABLE")
        region = config.region()

    conversation_id = UnicodeAttribute(hash_key=True)
    message_key = UnicodeAttribute(range_key=True, default=HEADER_KEY)
    tenant_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    account_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    customer_name = UnicodeAttribute(null=True)
    last_customer_at = UnicodeAttribute(null=True)
    open_ticket_id = UnicodeAttribute(null=True)
    last_ticket_id = UnicodeAttribute(null=True)
    last_agent_id = UnicodeAttribute(null=True)
    last_closed_at = UnicodeAttribute(null=True)


def conversation_id_for(tenant_id: str, channel: str, account_id: str, customer_id: str) -> str:
    return f"{tenant_id}#{channel}#{account_id}#{customer_id}"


def get_conversation(conversation_id: str) -> ConversationModel:
    """Read consistently: which ticket a message joins is decided on it."""
    try:
        return ConversationModel.get(conversation_id, HEADER_KEY, consistent_read=True)
    except ConversationModel.DoesNotExist as exc:
        raise NotFound(f"conversation '{conversation_id}' not found") from exc


def get_message(conversation_id: str, message_key: str) -> MessageModel:
    try:
        return MessageModel.get(conversation_id, message_key)
    except MessageModel.DoesNotExist as exc:
        raise NotFound(f"message '{message_key}' not found") from exc


def ordering_time(sent_at: datetime, received_at: datetime) -> datetime:
    """Where a customer message sits in the conversation. Meta's timestamp has 1 s resolution, so the
    true send time lies in [sent_at, sent_at + 1 s); our receive time is exact for live traffic, and a
    redelivery days later must still sort by when the customer wrote."""
    return max(sent_at, min(received_at, sent_at + timedelta(milliseconds=999)))


def store_inbound(tenant_id: str, message: InboundMessage, *, stale: bool) -> tuple[MessageModel, bool]:
    """Store a customer message exactly once (conditional put on its Meta id), its conversation's header
    made whole first, on every delivery: a header write that failed (throttled, a crash) is repaired by
    the next delivery, and the window clock moves on with the message it saw.

    Returns (stored item, created). A redelivery returns the item already stored and created=False.
    """
    conversation_id = conversation_id_for(tenant_id, message.channel, message.account_id, message.customer_id)
    touch_conversation(tenant_id, conversation_id, message)
    key = f"in#{message.message_id}"
    at = iso(ordering_time(message.at, utc_now()))
    item = MessageModel(
        conversation_id,
        key,
        at_key=f"{at}#{key}",
        tenant_id=tenant_id,
        at=at,
        sender="customer",
        kind=message.kind,
        text=message.text,
        media_id=message.media_id,
        reply_to=message.reply_to,
        note=message.note,
        payload=message.payload,
        state="stale" if stale else ("received" if message.actionable else "stored"),
    )
    try:
        item.save(condition=MessageModel.message_key.does_not_exist())
    except PutError as exc:
        if not _conditional_failed(exc):
            raise
        return get_message(conversation_id, key), False
    return item, True


def touch_conversation(tenant_id: str, conversation_id: str, message: InboundMessage) -> None:
    """The header item, idempotent: who the conversation is with, and the customer's last message time
    (the messaging windows' clock), which only ever moves forward (deliveries come out of order)."""
    at = iso(message.at)
    header = ConversationModel(conversation_id, HEADER_KEY)
    actions = [
        ConversationModel.tenant_id.set(tenant_id),
        ConversationModel.channel.set(message.channel),
        ConversationModel.account_id.set(message.account_id),
        ConversationModel.customer_id.set(message.customer_id),
    ]
    if message.customer_name:
        actions.append(ConversationModel.customer_name.set(message.customer_name))
    header.update(actions=actions)
    try:
        header.update(
            actions=[ConversationModel.last_customer_at.set(at)],
            condition=ConversationModel.last_customer_at.does_not_exist()
            | (ConversationModel.last_customer_at < at),
        )
    except UpdateError as exc:
        if not _conditional_failed(exc):
            raise


def mark_message(message: MessageModel, **fields: str | None) -> None:
    """Fields of a stored message set; never creates one (an update of a missing key would)."""
    message.update(
        actions=[getattr(MessageModel, k).set(v) for k, v in fields.items()],
        condition=MessageModel.message_key.exists(),
    )


def history(conversation_id: str, limit: int = 200) -> list[MessageModel]:
    """The conversation's messages, oldest first (the newest `limit`)."""
    newest = list(MessageModel.by_time.query(conversation_id, scan_index_forward=False, limit=limit))
    return list(reversed(newest))


def messages_since(conversation_id: str, at: str) -> list[MessageModel]:
    """The conversation's messages at or after `at`, oldest first (one range query on the time index)."""
    return list(MessageModel.by_time.query(conversation_id, MessageModel.at_key >= at))  # "<at>#<key>"


def store_outbound(
    conversation: ConversationModel,
    *,
    sender: str,
    text: str,
    author: str | None = None,
    ticket_id: str | None = None,
    kind: str = "text",
    key: str | None = None,
) -> MessageModel:
    """Record an outbound message before it is sent (delivery "pending"): nothing is ever lost.

    `key` names the message after its cause ("answer:in#wamid...#0"): storing it again (a retried or
    duplicated step) returns the message already stored instead of a second one."""
    message_key = f"out#{key}" if key else f"out#{new_ulid()}"
    at = now_iso()
    item = MessageModel(
        conversation.conversation_id,
        message_key,
        at_key=f"{at}#{message_key}",
        tenant_id=conversation.tenant_id,
        at=at,
        sender=sender,
        author=author,
        kind=kind,
        text=text,
        ticket_id=ticket_id,
        delivery="pending",
        delivery_rank=DELIVERY_RANK["pending"],
    )
    if key is None:
        item.save()
        return item
    try:
        item.save(condition=MessageModel.message_key.does_not_exist())
    except PutError as exc:
        if not _conditional_failed(exc):
            raise
        return get_message(conversation.conversation_id, message_key)
    return item


def begin_send(message: MessageModel) -> str:
    """Claim the one Graph API call a stored message gets: "send" (claimed: call now), "busy" (another
    invocation is sending it right now), or "done" (sent, failed, or interrupted mid-call: a second call
    could deliver it twice, so it is marked "unknown" instead and Meta's status reports settle it)."""
    now = utc_now()
    # The claim lasts as long as the claiming invocation can: past that it is dead, whatever it did.
    lease = runtime.seconds_left(default=SEND_LEASE_SECONDS) + runtime.RESERVE_SECONDS
    try:
        message.update(
            actions=[
                MessageModel.send_started_at.set(iso(now)),
                MessageModel.send_lease_until.set(iso(now + timedelta(seconds=max(lease, 1.0)))),
                MessageModel.attention_key.set(message.tenant_id),  # until it is known delivered
            ],
            condition=(MessageModel.delivery == "pending") & MessageModel.send_started_at.does_not_exist(),
        )
        return "send"
    except UpdateError as exc:
        if not _conditional_failed(exc):
            raise
    message.refresh(consistent_read=True)
    if message.delivery != "pending":
        return "done"
    if message.send_lease_until and parse_iso(message.send_lease_until) > now:
        return "busy"
    set_delivery(message, "unknown", "the send was interrupted; Meta may or may not have the message")
    return "done"


def last_customer_at(conversation: ConversationModel) -> datetime | None:
    return parse_iso(conversation.last_customer_at) if conversation.last_customer_at else None


def set_delivery(
    message: MessageModel, status: str, error: str | None = None, graph_id: str | None = None
) -> bool:
    """Move a message's delivery forward (read > delivered > sent; failed is final); never backwards,
    even when two statuses race (conditional on the stored rank)."""
    rank = DELIVERY_RANK[status]
    actions = [MessageModel.delivery.set(status), MessageModel.delivery_rank.set(rank)]
    if status in ("sent", "delivered", "read"):
        actions.append(MessageModel.attention_key.remove())
    elif message.sender != "customer":
        actions.append(MessageModel.attention_key.set(message.tenant_id))
    if error:
        actions.append(MessageModel.delivery_error.set(error))
    if graph_id:
        actions.append(MessageModel.graph_message_id.set(graph_id))
    try:
        message.update(
            actions=actions,
            condition=MessageModel.delivery_rank.does_not_exist() | (MessageModel.delivery_rank < rank),
        )
        return True
    except UpdateError as exc:
        if not _conditional_failed(exc):
            raise
        return False


def release_send(message: MessageModel, error: str) -> None:
    """The call failed in a way a later attempt may not (Meta unavailable): the claim is given back, the
    message stays pending with the reason, and the next attempt of the step claims it again."""
    message.update(
        actions=[
            MessageModel.send_started_at.remove(),
            MessageModel.send_lease_until.remove(),
            MessageModel.delivery_error.set(error),
        ],
        condition=MessageModel.delivery == "pending",
    )


def needing_attention(tenant_id: str) -> list[MessageModel]:
    """Outbound messages a person should look at: failed, of unknown fate, or claimed by a send that
    died before it finished (its lease over), oldest first."""
    now = now_iso()
    found = []
    for message in MessageModel.attention.query(tenant_id):
        stuck = message.delivery == "pending" and (message.send_lease_until or "") < now
        if message.delivery in ("failed", "unknown") or stuck:
            found.append(message)
    return found


def mark_sent(message: MessageModel, graph_id: str) -> None:
    """Meta accepted the message: keep its id, then apply any status that raced ahead of us."""
    set_delivery(message, "sent", graph_id=graph_id or None)
    if graph_id:
        for pending in PendingStatusModel.query(f"#status#{graph_id}"):
            set_delivery(message, pending.message_key, pending.error)
            pending.delete()


def _message_by_graph_id(graph_id: str) -> MessageModel | None:
    keys = list(MessageModel.by_graph_id.query(graph_id, limit=1))
    return get_message(keys[0].conversation_id, keys[0].message_key) if keys else None


def callback_data(message: MessageModel) -> str:
    """What WhatsApp echoes back in every status of a message we send (biz_opaque_callback_data): the
    message itself, found with one strongly consistent read even when its send was interrupted."""
    return f"{message.conversation_id}|{message.message_key}"


def _message_by_callback(data: str | None) -> MessageModel | None:
    conversation_id, _, message_key = (data or "").partition("|")
    if not message_key.startswith("out#"):
        return None
    try:
        return MessageModel.get(conversation_id, message_key, consistent_read=True)
    except MessageModel.DoesNotExist:
        return None


def apply_status(update: StatusUpdate) -> bool:
    """Record a delivery status on the message we sent; True when applied now, False when parked."""
    error = f"{update.error_code}: {update.error_title}" if update.error_code else None
    message = _message_by_callback(update.callback_data)
    if message is not None:
        set_delivery(
            message, update.status, error, graph_id=None if message.graph_message_id else update.message_id
        )
        return True
    message = _message_by_graph_id(update.message_id)
    if message is None:
        PendingStatusModel(
            f"#status#{update.message_id}",
            update.status,
            error=error,
            expires_at=int(utc_now().timestamp()) + PENDING_STATUS_SECONDS,
        ).save()
        message = _message_by_graph_id(update.message_id)  # stored meanwhile? then apply now
        if message is None:
            return False
    set_delivery(message, update.status, error)
    return True


def mark_deleted(conversation_id: str, meta_message_id: str) -> bool:
    """The customer deleted one of their messages: flag it (agents see it was withdrawn)."""
    try:
        MessageModel(conversation_id, f"in#{meta_message_id}").update(
            actions=[MessageModel.deleted_at.set(now_iso())], condition=MessageModel.message_key.exists()
        )
        return True
    except UpdateError as exc:
        if not _conditional_failed(exc):
            raise
        return False
