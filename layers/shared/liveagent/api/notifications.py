"""The caller's in-app notifications."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from liveagent import agents, notifications
from liveagent.api import current_caller
from liveagent.api.schemas import NotificationList, NotificationOut, NotificationTestOut
from liveagent.errors import DomainError

router = Router()


@router.get("/api/notifications")
def list_notifications() -> NotificationList:
    caller = current_caller(router)
    items = [n.to_api() for n in notifications.for_agent(caller.tenant_id, caller.id)]
    return NotificationList.model_validate({"items": items, "unread": sum(1 for n in items if not n["read"])})


@router.post("/api/notifications/<notification_id>/read")
def mark_read(notification_id: str) -> NotificationOut:
    caller = current_caller(router)
    return NotificationOut.model_validate(
        notifications.mark_read(caller.tenant_id, caller.id, notification_id).to_api()
    )


@router.post("/api/notifications/test")
def send_test() -> NotificationTestOut:
    """The product's "not receiving notifications?": send the caller a test on each enabled channel and
    report what happened per channel, and whether the email sender is verified in SES."""
    caller = current_caller(router)
    agent = agents.get_agent(caller.tenant_id, caller.id)
    if not agents.claim_test_notification(agent):
        raise DomainError(
            f"one test notification a minute: wait {agents.TEST_INTERVAL_SECONDS} s after the last one",
            code="rate_limited", status=429,
        )  # fmt: skip
    deliveries = notifications.notify_agent(
        agent,
        "test",
        "Test notification",
        "This is a test of your Live Agent Escalation notifications.",
        None,
    )
    for channel, on in (
        ("email", agent.notify.email),
        ("sms", agent.notify.sms),
        ("in_app", agent.notify.in_app),
    ):
        if not on:
            deliveries[channel] = "off in your settings"
    if agent.notify.sms and not agent.phone:
        deliveries["sms"] = "no phone number on your profile"
    try:
        verified = notifications.sender_verified()
    except Exception:
        verified = None
    return NotificationTestOut(
        deliveries=deliveries, sender_verified=verified, email=agent.email, phone=agent.phone
    )
