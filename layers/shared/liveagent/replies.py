"""What is said to customers: the bot's knowledge-base answers, the hand-off acknowledgement, and the
agents' replies from the dashboard."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from liveagent import (
    agents,
    business_hours,
    conversations,
    escalation,
    lifecycle,
    notifications,
    tenants,
    tickets,
)
from liveagent.channels.outbound import send_to_customer
from liveagent.errors import ChannelError, Conflict, WindowClosed
from liveagent.ids import parse_iso
from liveagent.observability import logger, metrics


class SendInProgress(RuntimeError):
    """The message is being sent by another invocation of the same step: retry later."""


class TemplateRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=2, max_length=15)
    components: list[dict] | None = Field(None, max_length=10)  # header/body/button parameters


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Longer texts than one channel message are sent as several messages, in order.
    text: str | None = Field(None, min_length=1, max_length=20000)
    template: TemplateRef | None = None
    reply_to: str | None = Field(None, description="id of the customer message this answers (WhatsApp)")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str | None) -> str | None:
        # Spaces alone would go out as an empty WhatsApp message.
        if text is not None and not text.strip():
            raise ValueError("the reply is blank: write a message (or send a template)")
        return text

    @model_validator(mode="after")
    def _one_of(self) -> ReplyIn:
        if (self.text is None) == (self.template is None):
            raise ValueError("send either 'text' or 'template'")
        return self


# The workflow runs a bot send this many times more when Meta is unavailable (its Retry on
# ChannelUnavailable in message.asl.json); the last attempt that fails hands the message to a person.
BOT_SEND_RETRIES = 2


def _bot_says(
    conversation: conversations.ConversationModel,
    text: str,
    what: str,
    cause: str,
    ticket_id: str | None = None,
    attempt: int = BOT_SEND_RETRIES,
) -> dict:
    """A message from the bot, sent once for its cause however often the step runs. Meta unavailable:
    ChannelUnavailable is raised for the workflow to retry later (until `attempt` is the last). Refused
    for good, or still unavailable at the last attempt: stored "failed", listed for a person to resend,
    and the tenant's admins told in-app; not raised (the conversation goes on)."""
    final = attempt >= BOT_SEND_RETRIES
    try:
        sent = send_to_customer(
            conversation, sender="bot", text=text, ticket_id=ticket_id, cause=cause, final=final
        )
    except (ChannelError, WindowClosed) as exc:
        logger.warning(f"{what} not delivered", extra={"ticket_id": ticket_id, "error": exc.message})
        metrics.add_metric(name="BotMessageFailed", unit="Count", value=1)
        _tell_admins(conversation, what, exc.message, ticket_id, cause)
        return {"delivery": "failed"}
    deliveries = {m.delivery for m in sent}
    if "pending" in deliveries:
        # Another run of this step holds the send (a duplicate, or one that died mid-call whose claim
        # has not run out yet): the workflow retries this step later, when it is settled either way.
        raise SendInProgress(f"{what} is being sent by another invocation")
    delivery = next((d for d in ("failed", "unknown") if d in deliveries), "sent")
    return {"delivery": delivery, "message_ids": [m.message_key for m in sent]}


def _tell_admins(
    conversation: conversations.ConversationModel, what: str, error: str, ticket_id: str | None, cause: str
) -> None:
    """In-app, once per message: the admins of the tenant see what the customer did not get."""
    who = conversation.customer_name or conversation.customer_id
    first = conversations.get_message(conversation.conversation_id, f"out#{cause}#0")
    for admin in agents.admins(agents.team(conversation.tenant_id)):
        notifications.store_in_app(
            admin, "delivery_failed", f"Not delivered to {who}: the {what}",
            f"{error}. Resend it from Deliveries.", ticket_id, cause=(f"undelivered:{cause}", first.at),
        )  # fmt: skip


def bot_answer(conversation_id: str, message_key: str, answer: str, attempt: int = BOT_SEND_RETRIES) -> dict:
    conversation = conversations.get_conversation(conversation_id)
    result = _bot_says(conversation, answer, "bot answer", f"answer:{message_key}", attempt=attempt)
    if result["delivery"] == "sent":
        metrics.add_metric(name="BotAnswered", unit="Count", value=1)
    return result


def acknowledge(tenant_id: str, ticket_id: str, attempt: int = BOT_SEND_RETRIES) -> dict:
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    messages = tenants.load_settings(tenant_id).messages
    text = messages.in_language(ticket.language).acknowledgement or messages.acknowledgement
    conversation = conversations.get_conversation(ticket.conversation_id)
    return _bot_says(conversation, text, "acknowledgement", f"ack:{ticket_id}", ticket_id, attempt)


def offline_acknowledge(
    tenant_id: str, ticket_id: str, opens_at: str | None, attempt: int = BOT_SEND_RETRIES
) -> dict:
    """Outside business hours: the tenant's offline message with the next opening time."""
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    settings = tenants.load_settings(tenant_id)
    localized = settings.messages.in_language(ticket.language)
    text = business_hours.offline_text(
        settings.business_hours, parse_iso(opens_at) if opens_at else None, localized, ticket.language
    )
    conversation = conversations.get_conversation(ticket.conversation_id)
    return _bot_says(conversation, text, "offline message", f"offline:{ticket_id}", ticket_id, attempt)


def agent_reply(
    tenant_id: str, ticket_id: str, agent_id: str, reply: ReplyIn, idempotency_key: str | None = None
) -> dict:
    """An agent's reply. With an `Idempotency-Key` (the dashboard sends one per reply it writes), a retry
    of the same request after a lost answer sends nothing twice and answers with the same message."""
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    lifecycle.require_open(ticket, "ticket is closed; the customer is back with the bot")
    conversation = conversations.get_conversation(ticket.conversation_id)
    sent = send_to_customer(
        conversation,
        sender="agent",
        author=agent_id,
        text=reply.text,
        template=reply.template.model_dump(exclude_none=True) if reply.template else None,
        ticket_id=ticket_id,
        reply_to=_meta_id(conversation.conversation_id, reply.reply_to),
        cause=f"reply:{ticket_id}:{idempotency_key}" if idempotency_key else None,
    )
    lifecycle.reply(ticket, agent_id)
    ticket.refresh(consistent_read=True)
    escalation.signal(ticket, "reply")
    metrics.add_metric(name="AgentReplied", unit="Count", value=1)
    return {**sent[-1].to_api(), "parts": [m.to_api() for m in sent]}


def _meta_id(conversation_id: str, message_key: str | None) -> str | None:
    """Our id of a customer message ("in#<wamid>") -> Meta's id, checked to be in this conversation."""
    if not message_key:
        return None
    message = conversations.get_message(conversation_id, message_key)
    if message.sender != "customer":
        raise Conflict("reply_to must name a customer message of this conversation", code="validation_error")
    return message_key.removeprefix("in#")
