"""Messages to customers a person must look at: what the bot could not deliver (Meta refused it, or was
unavailable through every retry), sends of unknown fate, sends that died before they finished. Listed,
resent or dismissed; resending is a person's decision, never a blind retry."""

from __future__ import annotations

import base64

from aws_lambda_powertools.event_handler.api_gateway import Router

from liveagent import conversations
from liveagent.api import current_caller
from liveagent.api.schemas import DeliveryList, DeliveryOut, MessageOut
from liveagent.channels.outbound import send_to_customer
from liveagent.conversations import MessageModel
from liveagent.errors import Conflict, NotFound

router = Router()


def delivery_id(message: MessageModel) -> str:
    raw = f"{message.conversation_id}|{message.message_key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _message(tenant_id: str, delivery: str) -> MessageModel:
    try:
        raw = base64.urlsafe_b64decode(delivery + "=" * (-len(delivery) % 4)).decode()
    except ValueError as exc:  # not base64 (binascii.Error), not ASCII ("ìx"), not UTF-8 once decoded
        raise NotFound(f"delivery '{delivery}' not found") from exc
    conversation_id, _, message_key = raw.partition("|")
    if not conversation_id or not message_key.startswith("out#"):
        raise NotFound(f"delivery '{delivery}' not found")
    try:
        message = MessageModel.get(conversation_id, message_key, consistent_read=True)
    except MessageModel.DoesNotExist as exc:
        raise NotFound(f"delivery '{delivery}' not found") from exc
    if message.tenant_id != tenant_id or message.sender == "customer":
        raise NotFound(f"delivery '{delivery}' not found")
    return message


def _out(message: MessageModel) -> DeliveryOut:
    conversation = conversations.get_conversation(message.conversation_id)
    return DeliveryOut.model_validate(
        {
            "id": delivery_id(message),
            "message_id": message.message_key,
            "conversation_id": message.conversation_id,
            "channel": conversation.channel,
            "customer": {"id": conversation.customer_id, "name": conversation.customer_name},
            "from": message.sender,
            "text": message.text,
            "at": message.at,
            "delivery": message.delivery,
            "delivery_error": message.delivery_error,
            "ticket_id": message.ticket_id,
        }
    )


@router.get("/api/deliveries/attention")
def needing_attention() -> DeliveryList:
    """Oldest first: failed, of unknown fate, or left by a send that died."""
    caller = current_caller(router)
    return DeliveryList.model_validate(
        {"items": [_out(m) for m in conversations.needing_attention(caller.tenant_id)]}
    )


def _still_needed(message: MessageModel) -> None:
    if message.attention_key is None or message.delivery in ("sent", "delivered", "read"):
        raise Conflict("this message is delivered, or was resent or dismissed already", code="not_needed")


@router.post("/api/deliveries/<delivery>/resend", status_code=201)
def resend(delivery: str) -> MessageOut:
    """Sent again by the caller, as a new message in the conversation (the window rules apply); the
    original leaves the list. Resending twice (a retry) sends once."""
    caller = current_caller(router)
    message = _message(caller.tenant_id, delivery)
    if message.resent_as:
        return MessageOut.model_validate(
            conversations.get_message(message.conversation_id, message.resent_as).to_api()
        )
    _still_needed(message)
    if message.kind == "template":
        raise Conflict(
            "a template is sent again from its ticket, with its parameters", code="validation_error"
        )
    conversation = conversations.get_conversation(message.conversation_id)
    sent = send_to_customer(conversation, sender="agent", author=caller.id, text=message.text,
                            ticket_id=message.ticket_id, cause=f"resend:{message.message_key}")  # fmt: skip
    message.update(
        actions=[MessageModel.attention_key.remove(), MessageModel.resent_as.set(sent[0].message_key)]
    )
    return MessageOut.model_validate(sent[0].to_api())


@router.post("/api/deliveries/<delivery>/dismiss")
def dismiss(delivery: str) -> MessageOut:
    """Off the list without sending (the customer was reached another way); the message keeps its fate."""
    caller = current_caller(router)
    message = _message(caller.tenant_id, delivery)
    if message.attention_key is not None:
        message.update(actions=[MessageModel.attention_key.remove()])
    return MessageOut.model_validate(message.to_api())
