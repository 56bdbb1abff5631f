"""Meta webhook (WhatsApp Cloud API and Instagram Messaging): GET handshake, POST deliveries.

The one function Meta waits on, budgeted tightest for its cold start (benchmarks/cold_start): it checks
the signature and hands each item of the delivery to the inbound FIFO queue, grouped by conversation,
and answers. Everything else (the tenant, storing, detection) happens behind the queue, one message of a
conversation at a time. Only boto3, Powertools' Logger and Metrics and the standard library are imported:
no pydantic, no PynamoDB, no X-Ray SDK (Lambda's Active tracing still records the invocation).
"""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths

from liveagent.channels import envelope, intake, signature

logger = Logger()
metrics = Metrics()


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
    expected = intake.meta_secrets().get("verify_token", "")
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
    if not signature.verify_signature(body, _header(event, "X-Hub-Signature-256"), intake.app_secrets()):
        metrics.add_metric(name="BadSignature", unit="Count", value=1)
        return _text(401, "invalid signature")
    try:
        payload = json.loads(body)
    except ValueError:
        return _text(400, "not a Meta webhook payload: the body is not JSON")
    if not isinstance(payload, dict):
        return _text(400, "not a Meta webhook payload: expected a JSON object")
    try:
        items = envelope.split(payload)
    except envelope.Malformed as exc:
        return _text(400, f"not a Meta webhook payload: {exc}")
    if items is None:
        return _text(200, "ignored")
    try:
        intake.enqueue(items)
    except Exception:
        logger.exception("delivery not queued", extra={"items": len(items)})
        return _text(500, "temporarily unable to accept the delivery; please retry")
    metrics.add_metric(name="ItemsQueued", unit="Count", value=len(items))
    return _text(200, "EVENT_RECEIVED")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("httpMethod") == "GET":
        return verify_subscription(event)
    if event.get("httpMethod") == "POST":
        return receive(event)
    return _text(405, "method not allowed")
