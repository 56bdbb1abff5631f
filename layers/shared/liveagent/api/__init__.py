"""The REST API (CONTRACT.md section 5) as Powertools routers, shared by the api and reply functions."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ResponseValidationError,
)
from pydantic import ValidationError

from liveagent import config
from liveagent.auth import Caller, caller_from_claims
from liveagent.errors import DomainError
from liveagent.observability import logger


def error_response(status: int, code: str, message: str, details: dict | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": {"code": code, "message": message, **(details or {})}}),
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


def request_validation_response(exc: RequestValidationError) -> Response:
    """Powertools' request validation (bodies, query and path parameters) in our error shape: 400, with
    each field named ("body.status: Input should be 'online', 'away' or 'offline'")."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "bad_request", "body is not valid JSON")
    parts = []
    for error in errors:
        location = [str(p) for p in error.get("loc", ())]
        if location[:1] in (["body"], ["query"], ["path"]) and len(location) > 1:
            location = location[1:]  # "body.status" -> "status", "query.limit" -> "limit"
        field = ".".join(p for p in location if "[" not in p)  # without pydantic's union/validator tags
        parts.append(f"{field or 'body'}: {error.get('msg')}")
    return error_response(400, "validation_error", "; ".join(dict.fromkeys(parts)))


def reject_unknown_query_parameters(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    """A misspelt filter (`?stauts=closed`) is an error, not a silently unfiltered list."""
    route = app.context.get("_route")
    if route is None or route.func.__name__ == "not_found_handler":  # Powertools' stand-in: 404/405
        return next_middleware(app)
    known = {param.alias for param in route.dependant.query_params}
    unknown = sorted(set(app.current_event.query_string_parameters or {}) - known)
    if unknown:
        accepted = f"accepted: {', '.join(sorted(known))}" if known else "this route takes none"
        return error_response(400, "validation_error", f"unknown query parameter(s) {unknown}; {accepted}")
    return next_middleware(app)


def cors() -> CORSConfig | None:
    """With Lambda proxy integration API Gateway adds no CORS header to a function's answer (SAM's Cors
    only builds the OPTIONS preflight): the dashboard's origin gets Access-Control-Allow-Origin from us."""
    origin = config.dashboard_origin()
    if not origin:
        return None
    return CORSConfig(
        allow_origin=origin, allow_headers=["Authorization", "Content-Type", "Idempotency-Key"], max_age=600
    )


def make_resolver(*routers: Router) -> APIGatewayRestResolver:
    # Validation on: request bodies, query and path parameters are checked against the handlers' typed
    # signatures, responses against their return models (a mismatch is our bug: 500, logged).
    app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500, cors=cors())
    for router in routers:
        app.include_router(router)
    app.use(middlewares=[reject_unknown_query_parameters])

    @app.exception_handler(RequestValidationError)
    def _request_validation_error(exc: RequestValidationError) -> Response:
        return request_validation_response(exc)

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported_content_type(_exc: RequestUnsupportedContentType) -> Response:
        return error_response(415, "unsupported_media_type", "send the body as application/json")

    @app.exception_handler(ResponseValidationError)
    def _response_validation_error(exc: ResponseValidationError) -> Response:
        logger.error("response does not match its schema", extra={"errors": exc.errors()})
        return error_response(500, "internal_error", "something went wrong; it has been logged")

    @app.exception_handler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(ValidationError)
    def _validation_error(exc: ValidationError) -> Response:
        return error_response(400, "validation_error", validation_message(exc))

    @app.not_found
    def _not_found(_exc: Exception) -> Response:
        method, path = app.current_event.http_method, app.current_event.path
        # The path exists with other methods -> 405 with Allow. (Reads the resolver's registered routes:
        # internal to Powertools, which is pinned in requirements.)
        # A static route ("/api/knowledge/unanswered") hides the dynamic ones its path also fits.
        static = [r for r in app._static_routes if r.rule.match(path)]
        allowed = sorted({r.method for r in static or [r for r in app._dynamic_routes if r.rule.match(path)]})
        if allowed:
            response = error_response(405, "method_not_allowed", f"{method} is not allowed on {path}")
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return error_response(404, "not_found", f"no route {method} {path}")

    @app.exception_handler(ValueError)
    def _unparsable_body(exc: ValueError) -> Response:
        # Powertools parses form bodies itself and raises ValueError on a malformed one (multipart
        # without a boundary): the client sent a body we do not take. Anything else is our bug.
        if isinstance(exc, UnicodeDecodeError):
            return error_response(400, "bad_request", "body is not valid UTF-8 JSON")
        headers = app.current_event.headers or {}
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "") or ""
        if app.current_event.body and "json" not in content_type.lower():
            return error_response(415, "unsupported_media_type", "send the body as application/json")
        return _unexpected(exc)

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "something went wrong; it has been logged")

    return app
