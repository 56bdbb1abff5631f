"""One Logger, Tracer and Metrics for the whole package (service name from POWERTOOLS_SERVICE_NAME)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
# X-Ray patches what is named, not every library it knows (patching all imports requests, sqlite3, ...
# into every function): botocore covers boto3 and PynamoDB; the Graph API client patches requests itself.
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()

# Keys whose values identify or quote a customer: never logged in clear.
PII_KEYS = frozenset(
    {"from", "wa_id", "to", "recipient_id", "phone", "phones", "body", "text", "caption", "name", "profile",
     "formatted_name", "first_name", "last_name", "address", "latitude", "longitude", "email", "title",
     "payload", "emoji", "filename", "url", "sender", "recipient"}
)  # fmt: skip


def redact(value: object, key: str | None = None) -> object:
    """The same structure with customer-identifying values replaced by "***" (ids and types kept, so a
    bad payload can still be debugged)."""
    if key in PII_KEYS and not isinstance(value, dict | list):
        return "***"
    if isinstance(value, dict):
        if key in PII_KEYS:
            return {k: "***" for k in value}
        return {k: redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    return value
