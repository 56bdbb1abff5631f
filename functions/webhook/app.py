"""Meta webhook (WhatsApp Cloud API and Instagram Messaging): GET handshake, POST deliveries.

The one function Meta waits on, and the one whose cold start is budgeted tightest (benchmarks/cold_start):
API Gateway routes only GET and POST /webhook here, so two methods need no router, and Powertools'
event handler (half of boto3's own import time, with asyncio for AppSync) stays out of this function.
"""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from liveagent.channels import inbound, signature
from liveagent.observability import logger, metrics, tracer


def _text(status: int, body: str) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "text/plain"}, "body": body}


def _raw_body(event: dict[str, Any]) -> bytes:
    """The exact bytes Meta signed (API Gateway base64-encodes bodies it treats as binary)."""
    body = event.get("body")
    if body is None:
        return b""
    return base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")


def _header(event: dict[str, Any], name: str) -> str | None:
    """HTTP header names are case-insensitive; API Gateway passes them as the client wrote them."""
    wanted = name.lower()
    return next((v for k, v in (event.get("headers") or {}).items() if k.lower() == wanted), None)


def verify_subscription(event: dict[str, Any]) -> dict[str, Any]:
    query = event.get("queryStringParameters") or {}
    expected = inbound.meta_secrets().get("verify_token", "")
    given = query.get("hub.verify_token", "")
    if (
        query.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(given.encode(), expected.encode())
    ):
        return _text(200, query.get("hub.challenge", ""))
    return _text(403, "verification failed")


def receive(event: dict[str, Any]) -> dict[str, Any]:
    body = _raw_body(event)
    if not signature.verify_signature(body, _header(event, "X-Hub-Signature-256"), inbound.app_secrets()):
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
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("httpMethod") == "GET":
        return verify_subscription(event)
    if event.get("httpMethod") == "POST":
        return receive(event)
    return _text(405, "method not allowed")
