"""Meta's customer-service windows: when a business may message a customer, and how."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

ReplyMode = Literal["open", "human_agent_tag", "template_only", "closed"]

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


def reply_mode(channel: str, last_customer_at: datetime | None, now: datetime) -> ReplyMode:
    """WhatsApp: free text within 24 h of the customer's last message, then templates only.
    Instagram: 24 h, then up to 7 days with the HUMAN_AGENT tag, then nothing."""
    age = now - last_customer_at if last_customer_at else None
    if age is not None and age <= STANDARD_WINDOW:
        return "open"
    if channel == "whatsapp":
        return "template_only"
    if age is not None and age <= HUMAN_AGENT_WINDOW:
        return "human_agent_tag"
    return "closed"
