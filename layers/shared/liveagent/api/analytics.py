"""GET /api/analytics/summary?days=N"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from liveagent import analytics
from liveagent.api import current_caller
from liveagent.api.schemas import AnalyticsSummary

router = Router()


@router.get("/api/analytics/summary")
def summary(days: Annotated[int, Query(ge=1, le=365, description="the last N days")] = 7) -> AnalyticsSummary:
    caller = current_caller(router)
    return AnalyticsSummary.model_validate(analytics.summary(caller.tenant_id, days))
