"""The caller's in-app notifications."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from liveagent import notifications
from liveagent.api import current_caller

router = Router()


@router.get("/api/notifications")
def list_notifications() -> dict:
    caller = current_caller(router)
    items = [n.to_api() for n in notifications.for_agent(caller.tenant_id, caller.id)]
    return {"items": items, "unread": sum(1 for n in items if not n["read"])}


@router.post("/api/notifications/<notification_id>/read")
def mark_read(notification_id: str) -> dict:
    caller = current_caller(router)
    return notifications.mark_read(caller.tenant_id, caller.id, notification_id).to_api()
