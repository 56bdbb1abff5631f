"""Message workflow step: answer from the knowledge base, join the open ticket, or escalate (and why)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from liveagent.detection.embeddings import default_encoder
from liveagent.detection.service import detect_message
from liveagent.observability import logger, metrics, tracer

# In the init phase (which Lambda runs at full CPU): the sentence encoder's session, once per container.
default_encoder()


class DetectEvent(BaseModel):
    action: str = "detect"
    tenant_id: str
    conversation_id: str
    message_key: str


@logger.inject_lambda_context(correlation_id_path="message_key")
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=DetectEvent)
def lambda_handler(event: DetectEvent, context: LambdaContext) -> dict:
    return detect_message(event.tenant_id, event.conversation_id, event.message_key).model_dump(mode="json")
