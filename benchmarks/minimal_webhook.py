"""The benchmark's yardstick: a webhook handler that only checks Meta's signature and answers 200."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os


def lambda_handler(event: dict, context: object) -> dict:
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    secret = os.environ.get("META_APP_SECRET", "local-app-secret").encode()
    expected = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, headers.get("x-hub-signature-256", ""))
    return {"statusCode": 200 if ok else 401, "body": "EVENT_RECEIVED" if ok else "bad signature"}
