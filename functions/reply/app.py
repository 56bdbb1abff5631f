"""Outbound to customers: the bot's answers and acknowledgements (workflow steps) and agent replies
(POST /api/tickets/{id}/reply)."""

from __future__ import annotations

from typing import Literal

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from liveagent import replies, runtime
from liveagent.api import make_resolver
from liveagent.api.replies import router
from liveagent.observability import logger, metrics, tracer
from liveagent.workflow import DetectResult

app = make_resolver(router)


class ReplyStep(BaseModel):
    action: Literal["bot_answer", "acknowledge"]
    tenant_id: str
    ticket_id: str | None = None
    conversation_id: str | None = None
    message_key: str | None = None
    detection: DetectResult | None = None
    opens_at: str | None = None  # acknowledging outside business hours: the offline message instead
    attempt: int = 0  # the step's retry count ($$.State.RetryCount): the last one hands a failure to a person


def run_step(event: dict) -> dict:
    step = ReplyStep.model_validate(event)
    if step.action == "bot_answer":
        return replies.bot_answer(
            step.conversation_id, step.message_key, step.detection.answer or "", step.attempt
        )
    if step.opens_at:
        return replies.offline_acknowledge(step.tenant_id, step.ticket_id, step.opens_at, step.attempt)
    return replies.acknowledge(step.tenant_id, step.ticket_id, step.attempt)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    runtime.start(context)  # the Graph API budget is what is left of this invocation
    if "httpMethod" in event:
        return app.resolve(event, context)
    return run_step(event)
