"""Escalation workflow step: notify the current level's people by email, SMS and in-app.

Idempotent per (ticket, level, round, action): a retried task never sends the same alert twice.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from liveagent import notifications
from liveagent.observability import logger, metrics, tracer
from liveagent.workflow import StepState

persistence = DynamoDBPersistenceLayer(table_name=os.environ.get("IDEMPOTENCY_TABLE", "Idempotency"))
idempotency = IdempotencyConfig(expires_after_seconds=7 * 24 * 3600)


class NotifyEvent(BaseModel):
    action: Literal["notify_level", "workflow_failed"]
    tenant_id: str
    ticket_id: str
    state: StepState | None = None
    error: dict[str, Any] | None = None


@idempotent_function(data_keyword_argument="request", config=idempotency, persistence_store=persistence)
def notify(request: dict) -> dict:
    event = NotifyEvent.model_validate(request)
    if event.action == "notify_level":
        return {"sent": notifications.announce_level(event.tenant_id, event.ticket_id, event.state)}
    notifications.announce_failure(event.tenant_id, event.ticket_id, event.error)
    return {"sent": "admins"}


@logger.inject_lambda_context(correlation_id_path="ticket_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=NotifyEvent)
def lambda_handler(event: NotifyEvent, context: LambdaContext) -> dict:
    idempotency.register_lambda_context(context)
    # The whole step input is the key: same ticket, level, round, targets and event -> sent once.
    return notify(request=event.model_dump())
