"""The REST API (CONTRACT.md section 5) as Powertools routers, shared by the api and reply functions."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ValidationError

from liveagent.auth import Caller, caller_from_claims
from liveagent.errors import DomainError
from liveagent.observability import logger


def error_response(status: int, code: str, message: str) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": {"code": code, "message": message}}),
    )


def validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error.get("loc", ())) or "body"
        parts.append(f"{field}: {error.get('msg')}")
    return "; ".join(parts)


def current_caller(router: Router | APIGatewayRestResolver) -> Caller:
    authorizer = router.current_event.request_context.authorizer
    claims = authorizer.claims if authorizer else None
    return caller_from_claims(claims)


def parse_body[M: BaseModel](router: Router | APIGatewayRestResolver, model: type[M]) -> M:
    raw = router.current_event.body
    try:
        data: Any = json.loads(raw) if raw else {}
    except (TypeError, ValueError) as exc:
        raise DomainError(f"body is not valid JSON: {exc}", code="bad_request") from exc
    if not isinstance(data, dict):
        raise DomainError("body must be a JSON object", code="bad_request")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DomainError(validation_message(exc), code="validation_error") from exc


def make_resolver(*routers: Router) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver()
    for router in routers:
        app.include_router(router)

    @app.exception_handler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(ValidationError)
    def _validation_error(exc: ValidationError) -> Response:
        return error_response(400, "validation_error", validation_message(exc))

    @app.not_found
    def _not_found(_exc: Exception) -> Response:
        method, path = app.current_event.http_method, app.current_event.path
        # The path exists with other methods -> 405 with Allow. (Reads the resolver's registered routes:
        # internal to Powertools, which is pinned in requirements.)
        allowed = sorted({r.method for r in app._static_routes + app._dynamic_routes if r.rule.match(path)})
        if allowed:
            response = error_response(405, "method_not_allowed", f"{method} is not allowed on {path}")
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return error_response(404, "not_found", f"no route {method} {path}")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "something went wrong; it has been logged")

    return app
