"""REST API for the agent dashboard and admins (everything under /api except replies) and /health."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from liveagent import runtime
from liveagent.api import (
    analytics,
    deliveries,
    health,
    knowledge,
    make_resolver,
    notifications,
    settings,
    team,
    tickets,
)
from liveagent.observability import logger, metrics, tracer

app = make_resolver(
    health.router,
    tickets.router,
    team.router,
    knowledge.router,
    settings.router,
    notifications.router,
    analytics.router,
    deliveries.router,
)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    runtime.start(context)  # closing sends the satisfaction question: the Graph API's budget
    return app.resolve(event, context)
