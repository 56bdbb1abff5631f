"""Sending to a customer on the conversation's own channel, inside Meta's messaging windows.

Every outbound message is stored before the Graph API call (delivery "pending") and updated after it
("sent" with Meta's id, or "failed" with the error), so nothing an agent wrote is ever lost.
"""

from __future__ import annotations

from liveagent import conversations
from liveagent.channels import find_channel, graph, instagram, whatsapp
from liveagent.channels.windows import reply_mode
from liveagent.conversations import ConversationModel, MessageModel
from liveagent.errors import ChannelError, DomainError, NotFound, WindowClosed
from liveagent.ids import utc_now


def build_request(
    conversation: ConversationModel, text: str | None, template: dict | None, mode: str
) -> dict:
    if conversation.channel == "whatsapp":
        if template:
            return whatsapp.template_request(conversation.customer_id, template["name"], template["language"])
        if mode != "open":
            raise WindowClosed(
                "the WhatsApp 24-hour window is closed: send an approved template instead",
            )
        return whatsapp.text_request(conversation.customer_id, text or "")
    if template:
        raise DomainError("templates are a WhatsApp feature; Instagram takes text", code="bad_request")
    if mode == "closed":
        raise WindowClosed("the Instagram window (7 days with the HUMAN_AGENT tag) is closed")
    return instagram.text_request(
        conversation.customer_id, text or "", human_agent_tag=mode == "human_agent_tag"
    )


def send_to_customer(
    conversation: ConversationModel,
    *,
    sender: str,
    text: str | None = None,
    template: dict | None = None,
    author: str | None = None,
    ticket_id: str | None = None,
) -> MessageModel:
    channel = find_channel(conversation.channel, conversation.account_id)
    if channel is None:
        raise NotFound(f"no {conversation.channel} account {conversation.account_id} is configured")
    mode = reply_mode(conversation.channel, conversations.last_customer_at(conversation), utc_now())
    request = build_request(conversation, text, template, mode)
    shown = text if text is not None else f"[template] {template['name']} ({template['language']})"
    message = conversations.store_outbound(
        conversation,
        sender=sender,
        text=shown,
        author=author,
        ticket_id=ticket_id,
        kind="template" if template else "text",
    )
    try:
        graph_id = graph.send(channel, request)
    except ChannelError as exc:
        conversations.mark_message(message, delivery="failed", delivery_error=exc.message)
        raise
    conversations.mark_message(message, delivery="sent", graph_message_id=graph_id or None)
    return message
