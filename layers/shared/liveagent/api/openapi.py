"""The OpenAPI document of the REST API, generated from the routers' typed signatures by Powertools.

`GET /api/openapi.json` serves it; `make openapi` writes it to `openapi.json` at the repository root.
What Powertools cannot know is added here: our error shape replaces its 422 (we answer 400), the Cognito
security scheme, and the error statuses every route can answer.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

from liveagent.api import make_resolver
from liveagent.api.schemas import ErrorOut

TITLE = "Live Agent Escalation API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Tickets, replies, team, knowledge base, settings, notifications and analytics for the agent dashboard "
    "and admins. Every /api route needs a Cognito ID token in the Authorization header; the tenant is the "
    'token\'s custom:tenant_id. Errors are {"error": {"code", "message"}}.'
)
_ERRORS = {
    400: "Invalid input: the message names the field",
    401: "Missing or invalid token",
    403: "Not allowed for your role (admins configure; agents work tickets)",
    404: "No such resource in your tenant",
    409: "The resource's state does not allow this (e.g. the ticket is closed)",
    415: "The body is not application/json",
    429: "Too soon after the last one (one test notification a minute per user)",
    502: "The channel (Graph API) still failed after retries; the message is kept with delivery failed",
}


def _routers() -> list:
    from liveagent.api import (
        analytics,
        deliveries,
        health,
        knowledge,
        notifications,
        replies,
        settings,
        team,
        tickets,
    )

    return [health.router, tickets.router, replies.router, team.router, knowledge.router, settings.router,
            notifications.router, analytics.router, deliveries.router]  # fmt: skip


@cache
def spec() -> dict[str, Any]:
    app = make_resolver(*_routers())
    document = json.loads(
        app.get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description=DESCRIPTION,
            security_schemes={
                "cognito": APIKey(
                    name="Authorization",
                    in_=APIKeyIn.header,
                    description="The Cognito user pool's ID token (no 'Bearer' prefix needed)",
                )
            },
            security=[{"cognito": []}],
        )
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorOut"] = error_schema
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    _tuples_as_arrays(document)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            _errors(path, method, operation)
    return document


def _errors(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for status in ("422", "500"):
        responses.pop(status, None)
    if not path.startswith("/api/"):
        operation["security"] = []
        return
    codes = [400, 401, 403]
    if "{" in path:
        codes.append(404)
    if method in ("post", "put", "delete"):
        codes.append(409)
    if "requestBody" in operation:
        codes.append(415)
    if path.endswith("/reply"):
        codes.append(502)
    if path == "/api/notifications/test":
        codes.append(429)
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for code in codes:
        responses.setdefault(str(code), {"description": _ERRORS[code], "content": error})


def _tuples_as_arrays(node: Any) -> None:
    """Fixed-length tuples of one type (business hours' ["09:00", "17:00"]) as arrays with a length:
    `prefixItems` is valid OpenAPI 3.1 but some tools (schemathesis among them) mis-handle it."""
    if isinstance(node, dict):
        prefix = node.get("prefixItems")
        if isinstance(prefix, list) and prefix and all(item == prefix[0] for item in prefix):
            # Same type at every position: the plain array form says it too, and every tool reads it.
            node.pop("prefixItems")
            node.update(items=prefix[0], minItems=len(prefix), maxItems=len(prefix))
        for value in node.values():
            _tuples_as_arrays(value)
    elif isinstance(node, list):
        for value in node:
            _tuples_as_arrays(value)


def spec_json() -> str:
    return json.dumps(spec(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":  # make openapi
    import sys
    from pathlib import Path

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "openapi.json")
    target.write_text(spec_json())
    print(f"wrote {target}: {len(spec()['paths'])} paths")
