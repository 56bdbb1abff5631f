"""GET /api/analytics/summary?days=N"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from liveagent import analytics
from liveagent.api import current_caller
from liveagent.errors import DomainError

router = Router()


@router.get("/api/analytics/summary")
def summary() -> dict:
    caller = current_caller(router)
    raw = router.current_event.get_query_string_value("days") or "7"
    if not raw.isdigit() or not 1 <= int(raw) <= 365:
        raise DomainError("days must be an integer from 1 to 365", code="validation_error")
    return analytics.summary(caller.tenant_id, int(raw))
