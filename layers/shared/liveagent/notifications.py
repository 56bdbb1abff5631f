"""Telling agents: in-app (Notifications table), email (SES) and SMS (SNS), per each agent's settings."""

from __future__ import annotations

import html
import time
from functools import cache

import boto3
from botocore.config import Config
from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from liveagent import (
    agents,
    config,
    conversations,
    storage,  # noqa: F401  (its table model shares one botocore session per thread)
    tickets,
)
from liveagent.agents import AgentModel
from liveagent.errors import NotFound
from liveagent.ids import new_ulid, now_iso, parse_iso, ulid_for
from liveagent.observability import logger, metrics
from liveagent.tickets import TicketModel
from liveagent.workflow import StepState

RETENTION_SECONDS = 90 * 86400


class NotificationModel(Model):
    class Meta:
        table_name = config.table_name("NOTIFICATIONS_TABLE")
        region = config.region()

    recipient = UnicodeAttribute(hash_key=True)  # "<tenant>#<agent>"
    sk = UnicodeAttribute(range_key=True)  # "<created iso>#<id>": newest last
    notification_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute(default="")
    ticket_id = UnicodeAttribute(null=True)
    read = BooleanAttribute(default=False)
    deliveries = JSONAttribute(
        default=dict
    )  # {"email": "sent" | "failed: ...", "sms": ..., "in_app": "stored"}
    created_at = UnicodeAttribute()
    expires_at = NumberAttribute()

    def to_api(self) -> dict:
        return {
            "id": self.notification_id,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "ticket_id": self.ticket_id,
            "read": self.read,
            "deliveries": self.deliveries or {},
            "created_at": self.created_at,
        }


# Throttling and transient errors are retried with backoff by botocore's standard retry mode.
_RETRIES = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5)


@cache
def _ses():
    return boto3.client("ses", region_name=config.region(), config=_RETRIES)


@cache
def _sns():
    return boto3.client("sns", region_name=config.region(), config=_RETRIES)


def _recipient(tenant_id: str, agent_id: str) -> str:
    return f"{tenant_id}#{agent_id}"


def store_in_app(
    agent: AgentModel,
    kind: str,
    title: str,
    body: str,
    ticket_id: str | None,
    deliveries: dict | None = None,
    *,
    cause: tuple[str, str] | None = None,
) -> NotificationModel:
    """One in-app notification. `cause` (what it is about, and when that happened) names it: stored again
    for the same cause (a retried step), it is the one already there."""
    created = cause[1] if cause else now_iso()
    notification_id = ulid_for(f"{agent.agent_id}|{cause[0]}", parse_iso(created)) if cause else new_ulid()
    item = NotificationModel(
        _recipient(agent.tenant_id, agent.agent_id),
        f"{created}#{notification_id}",
        notification_id=notification_id,
        kind=kind,
        title=title,
        body=body,
        ticket_id=ticket_id,
        deliveries=deliveries or {},
        created_at=created,
        expires_at=int(time.time()) + RETENTION_SECONDS,
    )
    if cause is None:
        item.save()
        return item
    try:
        item.save(condition=NotificationModel.sk.does_not_exist())
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
    return item


def ticket_link(ticket: TicketModel) -> str:
    base = config.dashboard_url()
    return f"{base}/#/tickets/{ticket.ticket_id}" if base else f"ticket {ticket.ticket_id}"


def email_bodies(title: str, body: str, ticket: TicketModel | None) -> tuple[str, str]:
    """(text, html) for an alert: the ticket's customer, channel, reason, latest messages and link."""
    if ticket is None:
        return body, f"<p>{html.escape(body)}</p>"
    recent = conversations.history(ticket.conversation_id, limit=5)
    who = ticket.customer_name or ticket.customer_id
    lines = [f"{m.sender}: {m.text}" for m in recent]
    header = [
        body,
        "",
        f"Customer: {who} ({ticket.channel})",
        f"Reason: {ticket.reason}",
        "",
        "Latest messages:",
    ]
    text = "\n".join([*header, *lines, "", f"Open the ticket: {ticket_link(ticket)}"])
    rows = "".join(
        f"<tr><td><b>{html.escape(m.sender)}</b></td><td>{html.escape(m.text)}</td></tr>" for m in recent
    )
    page = (
        f"<h2>{html.escape(title)}</h2><p>{html.escape(body)}</p>"
        f"<p><b>Customer:</b> {html.escape(who)} ({html.escape(ticket.channel)})<br>"
        f"<b>Reason:</b> {html.escape(ticket.reason)}</p><table>{rows}</table>"
        f'<p><a href="{html.escape(ticket_link(ticket))}">Open the ticket</a></p>'
    )
    return text, page


def notify_agent(
    agent: AgentModel,
    kind: str,
    title: str,
    body: str,
    ticket: TicketModel | None,
    *,
    force: bool = False,
    cause: tuple[str, str] | None = None,
) -> dict[str, str]:
    """Send one notification on every channel the agent has switched on (email and in-app always when
    `force`: escalations must reach someone); returns each channel's outcome, also stored on the
    in-app record (named after `cause`: once). A failing channel is logged and counted; it never stops
    the others."""
    deliveries: dict[str, str] = {}
    if (agent.notify.email or force) and agent.email:
        text, page = email_bodies(title, body, ticket)
        try:
            _ses().send_email(
                Source=config.sender_email(),
                Destination={"ToAddresses": [agent.email]},
                Message={
                    "Subject": {"Data": title[:200]},
                    "Body": {"Text": {"Data": text}, "Html": {"Data": page}},
                },
            )
            deliveries["email"] = "sent"
        except Exception as exc:
            metrics.add_metric(name="EmailFailed", unit="Count", value=1)
            logger.exception("email notification failed", extra={"agent_id": agent.agent_id})
            deliveries["email"] = f"failed: {exc.__class__.__name__}"
    if agent.notify.sms and agent.phone:
        try:
            _sns().publish(PhoneNumber=agent.phone, Message=f"{title}: {body}"[:300])
            deliveries["sms"] = "sent"
        except Exception as exc:
            metrics.add_metric(name="SmsFailed", unit="Count", value=1)
            logger.exception("SMS notification failed", extra={"agent_id": agent.agent_id})
            deliveries["sms"] = f"failed: {exc.__class__.__name__}"
    if agent.notify.in_app or force:
        deliveries["in_app"] = "stored"
        store_in_app(agent, kind, title, body, ticket.ticket_id if ticket else None, deliveries, cause=cause)
    return deliveries


def sender_verified() -> bool:
    sender = config.sender_email()
    attributes = _ses().get_identity_verification_attributes(Identities=[sender])["VerificationAttributes"]
    return attributes.get(sender, {}).get("VerificationStatus") == "Success"


def for_agent(tenant_id: str, agent_id: str, limit: int = 100) -> list[NotificationModel]:
    return list(
        NotificationModel.query(_recipient(tenant_id, agent_id), scan_index_forward=False, limit=limit)
    )


def mark_read(tenant_id: str, agent_id: str, notification_id: str) -> NotificationModel:
    for item in NotificationModel.query(_recipient(tenant_id, agent_id), scan_index_forward=False):
        if item.notification_id == notification_id:
            item.update(actions=[NotificationModel.read.set(True)])
            return item
    raise NotFound(f"notification '{notification_id}' not found")


_REASON_TITLE = {
    "question_not_found": "Question the bot could not answer",
    "agent_requested": "Customer asked for a person",
    "complaint": "Unhappy customer",
    "custom_trigger": "Escalation rule matched",
}


def announce_level(tenant_id: str, ticket_id: str, state: StepState) -> dict[str, list[str]]:
    """Tell the people of the current escalation level about the ticket; returns who got what."""
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    if not ticket.is_open:
        return {}
    who = ticket.customer_name or ticket.customer_id
    summary = f"{who} on {ticket.channel}: {ticket.question[:200]}"
    reason = _REASON_TITLE.get(ticket.reason, ticket.reason)
    sent: dict[str, list[str]] = {}
    for agent_id in state.targets:
        agent = agents.find_agent(tenant_id, agent_id)
        if agent is None:
            continue
        if state.event == "assigned":
            kind, title = "ticket_assigned", f"New ticket: {reason}"
        elif agent_id == ticket.assignee and state.event == "reassigned":
            kind, title = "ticket_reassigned", f"Ticket reassigned to you (level {state.level}): {reason}"
        else:
            kind, title = "ticket_escalated", f"Ticket waiting for a response (level {state.level}): {reason}"
        cause = (f"{ticket_id}:L{state.level}:R{state.round}:{state.event}", state.at or ticket.created_at)
        # Escalation levels always reach people by email and in-app, whatever their settings.
        sent[agent_id] = notify_agent(agent, kind, title, summary, ticket, force=state.level > 0, cause=cause)
    return sent


def announce_failure(tenant_id: str, ticket_id: str, error: dict | None) -> None:
    ticket = tickets.get_ticket(tenant_id, ticket_id)
    cause = (error or {}).get("Error", "unknown error")
    for admin in agents.admins(agents.team(tenant_id)):
        notify_agent(
            admin, "workflow_failed", "Escalation workflow failed", f"{cause}; the ticket is kept.", ticket,
            cause=(f"{ticket_id}:failed", ticket.created_at),
        )  # fmt: skip
