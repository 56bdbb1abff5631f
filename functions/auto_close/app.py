"""Hourly schedule: close answered tickets whose customer has been quiet for the tenant's auto_close_hours.

Invoked asynchronously by EventBridge; a run that still fails after Lambda's two retries lands in the
FailedWorkQueue (EventInvokeConfig in template.yaml), where infra.replay_failed can run it again.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from liveagent import runtime, ticket_actions
from liveagent.observability import logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    runtime.start(context)
    return {"auto_closed": ticket_actions.auto_close_quiet_tickets()}
