"""Meta webhook (WhatsApp Cloud API and Instagram Messaging): GET handshake, POST deliveries."""

from __future__ import annotations

import base64
import hmac
import json

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from liveagent.channels import inbound, signature
from liveagent.observability import logger, metrics, tracer

app = APIGatewayRestResolver()


def _text(status: int, body: str) -> Response:
    return Response(status_code=status, content_type=content_types.TEXT_PLAIN, body=body)


def _raw_body() -> bytes:
    """The exact bytes Meta signed (API Gateway base64-encodes bodies it treats as binary)."""
    event = app.current_event
    if event.body is None:
        return b""
    return base64.b64decode(event.body) if event.is_base64_encoded else event.body.encode("utf-8")


@app.get("/webhook")
def verify_subscription() -> Response:
    query = app.current_event.query_string_parameters or {}
    expected = inbound.meta_secrets().get("verify_token", "")
    given = query.get("hub.verify_token", "")
    if (
        query.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(given.encode(), expected.encode())
    ):
        return _text(200, query.get("hub.challenge", ""))
    return _text(403, "verification failed")


@app.post("/webhook")
def receive() -> Response:
    body = _raw_body()
    header = app.current_event.headers.get("X-Hub-Signature-256")  # case-insensitive in Powertools v3
    if not signature.verify_signature(body, header, inbound.app_secrets()):
        metrics.add_metric(name="BadSignature", unit="Count", value=1)
        return _text(401, "invalid signature")
    try:
        payload = json.loads(body)
        batch = inbound.normalize(payload) if isinstance(payload, dict) else None
    except (ValueError, ValidationError) as exc:
        return _text(400, f"not a Meta webhook payload: {exc.__class__.__name__}")
    if not isinstance(payload, dict):
        return _text(400, "not a Meta webhook payload: expected a JSON object")
    if batch is None:
        return _text(200, "ignored")
    counts = inbound.accept(batch)
    logger.info("webhook batch", extra={"counts": counts})
    if counts["failed"]:
        return _text(500, "temporarily unable to store every message; please retry")
    return _text(200, "EVENT_RECEIVED")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
