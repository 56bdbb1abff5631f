"""Ticket and escalation steps called by both workflows: open, assign, wait, next level, flag."""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from liveagent import escalation
from liveagent.observability import logger, metrics, tracer
from liveagent.workflow import StepState


class RouteEvent(BaseModel):
    action: Literal[
        "open_ticket", "assign", "await_response", "next_level", "flag_unattended", "workflow_failed"
    ]
    tenant_id: str
    ticket_id: str | None = None
    conversation_id: str | None = None
    message_key: str | None = None
    detection: dict[str, Any] = Field(default_factory=dict)
    state: StepState | None = None
    task_token: str | None = None
    attended: bool = False  # the wait after someone responded (no timer): see escalation.wake_for
    error: dict[str, Any] | None = None


STEPS = {
    "open_ticket": lambda e: escalation.open_ticket(
        e.tenant_id, e.conversation_id, e.message_key, e.detection
    ),
    "assign": lambda e: escalation.assign(e.tenant_id, e.ticket_id),
    "await_response": lambda e: escalation.await_response(
        e.tenant_id, e.ticket_id, e.task_token, e.state, attended=e.attended
    ),
    "next_level": lambda e: escalation.next_level(e.tenant_id, e.ticket_id, e.state),
    "flag_unattended": lambda e: escalation.flag_unattended(e.tenant_id, e.ticket_id),
    "workflow_failed": lambda e: escalation.workflow_failed(e.tenant_id, e.ticket_id, e.error),
}


@logger.inject_lambda_context(correlation_id_path="ticket_id || message_key")
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=RouteEvent)
def lambda_handler(event: RouteEvent, context: LambdaContext) -> Any:
    logger.append_keys(action=event.action)
    result = STEPS[event.action](event)
    return result.model_dump(mode="json") if isinstance(result, BaseModel) else result
