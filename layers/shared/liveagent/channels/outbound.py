"""Sending to a customer on the conversation's own channel, inside Meta's messaging windows.

Every outbound message is stored before the Graph API call (delivery "pending") and updated after it
("sent" with Meta's id, "failed" with the error, or "unknown" when Meta's answer never came), so nothing
an agent wrote is ever lost. Long texts go out as several messages, in order.

A message the system sends because of something (the bot's answer to a customer message, the
acknowledgement of a ticket) is named after that cause: a retried or duplicated step finds it stored and
never calls the Graph API for it a second time. WhatsApp echoes our message reference in every status it
reports (biz_opaque_callback_data), which settles an "unknown" send.
"""

from __future__ import annotations

import contextlib

from liveagent import conversations
from liveagent.channels import graph, instagram, whatsapp
from liveagent.channels.accounts import find_channel
from liveagent.channels.split import limits_for, split_text
from liveagent.channels.windows import reply_mode
from liveagent.conversations import ConversationModel, MessageModel
from liveagent.errors import (
    ChannelError,
    ChannelUnavailable,
    DeliveryUnknown,
    DomainError,
    NotFound,
    WindowClosed,
)
from liveagent.ids import utc_now


def build_request(
    conversation: ConversationModel,
    *,
    sender: str,
    mode: str,
    text: str | None = None,
    template: dict | None = None,
    reply_to: str | None = None,
) -> dict:
    """The Graph API body for one message, or WindowClosed before anything is sent."""
    if conversation.channel == "whatsapp":
        if template:
            return whatsapp.template_request(
                conversation.customer_id, template["name"], template["language"], template.get("components")
            )
        if mode != "open":
            raise WindowClosed("the WhatsApp 24-hour window is closed: send an approved template instead")
        return whatsapp.text_request(conversation.customer_id, text or "", reply_to=reply_to)
    if template:
        raise DomainError("templates are a WhatsApp feature; Instagram takes text", code="validation_error")
    if mode == "closed" or (mode == "human_agent_tag" and sender != "agent"):
        # Only a human may use the HUMAN_AGENT tag (24 h to 7 days); the bot needs the standard window.
        raise WindowClosed("the Instagram messaging window is closed for this message")
    return instagram.text_request(
        conversation.customer_id, text or "", human_agent_tag=mode == "human_agent_tag"
    )


def ask_with_choices(
    conversation: ConversationModel,
    text: str,
    choices: list[tuple[str, str]],
    ticket_id: str | None = None,
    *,
    cause: str | None = None,
) -> MessageModel | None:
    """A question with tappable answers (WhatsApp reply buttons / Instagram quick replies), only inside
    the standard window; returns the stored message, or None when the window is closed."""
    channel = find_channel(conversation.channel, conversation.account_id)
    mode = reply_mode(conversation.channel, conversations.last_customer_at(conversation), utc_now())
    if channel is None or mode != "open":
        return None
    module = (
        whatsapp.buttons_request if conversation.channel == "whatsapp" else instagram.quick_replies_request
    )
    message = conversations.store_outbound(
        conversation, sender="bot", text=text, ticket_id=ticket_id, kind="question", key=cause
    )
    with contextlib.suppress(ChannelError, WindowClosed):  # the outcome is recorded on the message
        _deliver(channel, message, module(conversation.customer_id, text, choices))
    return message


def _deliver(channel, message: MessageModel, request: dict, *, final: bool = True) -> None:
    """The one Graph API call of a stored message (claimed first: a duplicate finds it taken). Not the
    `final` attempt and Meta unavailable: the claim is given back and ChannelUnavailable raised, for the
    workflow to try again later."""
    if conversations.begin_send(message) != "send":
        return
    if channel.channel == "whatsapp":
        request = {**request, "biz_opaque_callback_data": conversations.callback_data(message)}
    try:
        graph_id = graph.send(channel, request)
    except DeliveryUnknown as exc:
        conversations.set_delivery(message, "unknown", exc.message)
        return
    except ChannelError as exc:
        if exc.retryable and not final:
            conversations.release_send(message, exc.message)
            raise ChannelUnavailable(exc.message) from exc
        conversations.set_delivery(message, "failed", exc.message)
        raise
    except WindowClosed as exc:
        conversations.set_delivery(message, "failed", exc.message)
        raise
    conversations.mark_sent(message, graph_id)


def send_to_customer(
    conversation: ConversationModel,
    *,
    sender: str,
    text: str | None = None,
    template: dict | None = None,
    author: str | None = None,
    ticket_id: str | None = None,
    reply_to: str | None = None,
    cause: str | None = None,
    final: bool = True,
) -> list[MessageModel]:
    """Send text (split to the channel's limit) or a template; returns the stored messages, in order.

    `cause` ("answer:<customer message key>", "ack:<ticket id>") makes the send once-only: its parts
    are stored under keys derived from it, and a part already sent, sending or interrupted is not sent
    again."""
    channel = find_channel(conversation.channel, conversation.account_id)
    if channel is None:
        raise NotFound(f"no {conversation.channel} account {conversation.account_id} is configured")
    mode = reply_mode(conversation.channel, conversations.last_customer_at(conversation), utc_now())
    if template:
        parts: list[str | None] = [None]
    else:
        parts = list(split_text(text or "", *limits_for(conversation.channel)))
    requests_ = [
        build_request(conversation, sender=sender, mode=mode, text=part, template=template,
                      reply_to=reply_to if i == 0 else None)
        for i, part in enumerate(parts)
    ]  # fmt: skip
    stored = [
        conversations.store_outbound(
            conversation,
            sender=sender,
            text=part if part is not None else f"[template] {template['name']} ({template['language']})",
            author=author,
            ticket_id=ticket_id,
            kind="template" if template else "text",
            key=f"{cause}#{i}" if cause else None,
        )
        for i, part in enumerate(parts)
    ]
    for index, (message, request) in enumerate(zip(stored, requests_, strict=True)):
        try:
            _deliver(channel, message, request, final=final)
        except (ChannelError, WindowClosed):
            for unsent in stored[index + 1 :]:
                if conversations.begin_send(unsent) == "send":
                    conversations.set_delivery(unsent, "failed", "not sent: an earlier part failed")
            raise
    return stored
