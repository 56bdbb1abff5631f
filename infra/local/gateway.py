"""The local API gateway: exactly template.yaml's API routes, into the same handlers, with API-Gateway
REST events and Cognito-authorizer claims (IdTokens verified against the fake Cognito's JWKS); plus the
local-only routes (/config.json, /local/*) and the dashboard's static files."""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from infra.local.lambdas import FunctionError
from infra.local.template import ACCOUNT, REGION, ROOT, Resolver

logging.getLogger("werkzeug").setLevel(logging.ERROR)
DASHBOARD = ROOT / "dashboard"


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, ... or ANY
    path: str  # template path, e.g. /api/tickets/{id}/reply
    function: str | None  # None: a mock integration (the CORS preflight)
    authorized: bool
    pattern: re.Pattern
    mock_headers: tuple[tuple[str, str], ...] = ()

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        segments = self.path.strip("/").split("/")
        greedy = sum(s.endswith("+}") for s in segments)
        literal = sum(not s.startswith("{") for s in segments)
        return (greedy, -literal, -len(segments), self.method == "ANY")


_METHODS = {"get", "post", "put", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method"}


def _unquote(value: str) -> str:
    """API Gateway mapping values are quoted literals: "'GET,POST'" -> GET,POST."""
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == "'" else value


def api_definitions(resolver: Resolver) -> list[dict]:
    """The OpenAPI body SAM generates for each AWS::ApiGateway::RestApi: what API Gateway deploys."""
    return [
        resource["Properties"]["Body"] for resource in resolver.of_type("AWS::ApiGateway::RestApi").values()
    ]


def template_routes(resolver: Resolver) -> list[Route]:
    """Every method of every path of the deployed API, most specific first (as API Gateway matches)."""
    routes = []
    for body in api_definitions(resolver):
        authorizers = set(
            body.get("securityDefinitions") or body.get("components", {}).get("securitySchemes") or {}
        )
        for path, methods in body["paths"].items():
            regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", path)
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
            pattern = re.compile(f"^{regex}$")
            for method, operation in methods.items():
                if method not in _METHODS:
                    continue
                verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
                integration = operation["x-amazon-apigateway-integration"]
                security = {name for entry in operation.get("security", []) for name in entry}
                if integration["type"] == "mock":
                    parameters = resolver.resolve(
                        integration["responses"]["default"].get("responseParameters", {})
                    )
                    headers = tuple(
                        (name.removeprefix("method.response.header."), _unquote(value))
                        for name, value in parameters.items()
                    )
                    routes.append(Route(verb, path, None, False, pattern, headers))
                    continue
                uri = integration["uri"]
                function = re.search(r"\$\{(\w+)\.Arn\}", json.dumps(uri))
                if not function:
                    raise ValueError(f"{verb} {path}: cannot tell which function {uri} invokes")
                routes.append(
                    Route(
                        verb,
                        path,
                        resolver.physical_name(function.group(1)),
                        bool(security & authorizers),
                        pattern,
                    )
                )
    return sorted(routes, key=lambda r: r.specificity)


class TokenVerifier:
    def __init__(self, aws_endpoint: str, user_pool_id: str, client_id: str) -> None:
        self.client_id = client_id
        self.issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{user_pool_id}"
        self._jwks = jwt.PyJWKClient(f"{aws_endpoint}/{user_pool_id}/.well-known/jwks.json", cache_keys=True)

    def claims(self, authorization: str | None) -> dict[str, Any] | None:
        if not authorization:
            return None
        token = authorization.removeprefix("Bearer ").strip()
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token, key.key, algorithms=["RS256"], audience=self.client_id, issuer=self.issuer
            )
        except (jwt.PyJWTError, ValueError):
            return None
        if claims.get("token_use") != "id":
            return None
        # API Gateway's Cognito authorizer hands claims to Lambda as strings.
        groups = claims.get("cognito:groups")
        if isinstance(groups, list):
            claims["cognito:groups"] = ",".join(groups)
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in claims.items()}


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return _json(status, {"error": {"code": code, "message": message}})


def gateway_responses(resolver: Resolver) -> dict[str, tuple[int, str, dict[str, str]]]:
    """API Gateway's own errors as the deployed API defines them: type -> (status, body, headers)."""
    responses = {}
    for body in api_definitions(resolver):
        for kind, spec in (body.get("x-amazon-apigateway-gateway-responses") or {}).items():
            status = int(spec.get("statusCode", 500 if kind == "DEFAULT_5XX" else 400))
            headers = {
                name.removeprefix("gatewayresponse.header."): _unquote(value)
                for name, value in resolver.resolve(spec.get("responseParameters", {})).items()
            }
            responses[kind] = (status, spec["responseTemplates"]["application/json"], headers)
    return responses


class Gateway:
    def __init__(self, stack: Any, port: int) -> None:
        self.stack = stack
        self.port = port
        self.routes = template_routes(stack.resolver)
        self.gateway_responses = gateway_responses(stack.resolver)
        self._server = make_server("127.0.0.1", port, self, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-gateway", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception as exc:  # the gateway itself never crashes the server
            logging.getLogger(__name__).exception("local gateway error")
            response = _error(500, "internal_error", str(exc))
        return response(environ, start_response)

    # ---------------------------------------------------------------- dispatch
    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path == "/config.json":
            return _json(200, self.stack.dashboard_config())
        if path.startswith("/local/"):
            return self.local_route(request)
        for route in self.routes:
            match = route.pattern.match(path)
            if match and route.method in ("ANY", request.method):
                if route.function is None:  # SAM's CORS preflight: a mock integration, no authorizer
                    return Response(
                        "{}", status=200, content_type="application/json", headers=dict(route.mock_headers)
                    )
                return self.invoke(route, match.groupdict(), request)
        if request.method == "GET":
            return self.static(path)
        return self.gateway_error("MISSING_AUTHENTICATION_TOKEN")  # what API Gateway answers an unknown route

    def gateway_error(self, kind: str, status: int | None = None) -> Response:
        """One of API Gateway's own answers, as the template's GatewayResponses define it (body and
        headers; a response type without a StatusCode keeps the status of the error it answers)."""
        default, body, headers = self.gateway_responses[kind]
        code = status if status is not None and kind.startswith("DEFAULT_") else default
        return Response(body, status=code, content_type="application/json", headers=headers)

    def invoke(self, route: Route, path_parameters: dict, request: Request) -> Response:
        claims = None
        if route.authorized:
            claims = self.stack.token_verifier.claims(request.headers.get("Authorization"))
            if claims is None:
                return self.gateway_error("UNAUTHORIZED")
        event = self.rest_event(route, path_parameters, request, claims)
        try:
            result = self.stack.lambdas.invoke(route.function, event)
        except FunctionError:
            # Lambda proxy integration: a function error (timeout, crash, unhandled exception) is a 502.
            return self.gateway_error("DEFAULT_5XX", status=502)
        if not isinstance(result, dict) or not isinstance(result.get("statusCode", 200), int):
            return self.gateway_error("DEFAULT_5XX", status=502)  # "Malformed Lambda proxy response"
        body = result.get("body") or ""
        if result.get("isBase64Encoded"):
            body = base64.b64decode(body)
        headers = dict(result.get("headers") or {})
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = ", ".join(values)
        # Nothing added: with proxy integration API Gateway passes the function's headers as they are
        # (CORS included, which the function must send itself).
        return Response(body, status=int(result.get("statusCode", 200)), headers=headers)

    def rest_event(self, route: Route, params: dict, request: Request, claims: dict | None) -> dict:
        raw = request.get_data()
        try:
            body, encoded = (raw.decode("utf-8"), False) if raw else (None, False)
        except UnicodeDecodeError:
            body, encoded = base64.b64encode(raw).decode(), True
        query = {k: request.args.getlist(k) for k in request.args}
        headers = {k: v for k, v in request.headers.items()}
        return {
            "resource": route.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers,
            "multiValueHeaders": {k: request.headers.getlist(k) for k in headers},
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route.path,
                "httpMethod": request.method,
                "path": f"/v1{request.path}",
                "stage": "v1",
                "requestId": str(uuid.uuid4()),
                "accountId": ACCOUNT,
                "apiId": "local",
                "requestTimeEpoch": int(time.time() * 1000),
                "identity": {"sourceIp": request.remote_addr or "127.0.0.1"},
                "authorizer": {"claims": claims} if claims else None,
            },
            "body": body,
            "isBase64Encoded": encoded,
        }

    # ---------------------------------------------------------------- local-only routes
    def local_route(self, request: Request) -> Response:
        path, method = request.path, request.method
        graph = re.match(r"^/local/graph/[^/]+/(?P<account>[^/]+)/messages$", path)
        if graph and method == "POST":
            try:
                payload = json.loads(request.get_data() or b"{}")
            except ValueError:
                return _json(
                    400, {"error": {"message": "invalid JSON", "type": "OAuthException", "code": 100}}
                )
            status, body = self.stack.graph.send(
                graph["account"], payload, request.headers.get("Authorization")
            )
            return _json(status, body)
        if path == "/local/outbox" and method == "GET":
            return _json(200, self.stack.outbox())
        if path == "/local/outputs" and method == "GET":
            return _json(200, self.stack.outputs())
        if path == "/local/faults" and method == "POST":
            return self.arm_faults(request)
        if path == "/local/faults" and method == "DELETE":
            return self.clear_faults(request.args.get("target"))
        return _error(404, "not_found", f"no local route {method} {path}")

    def clear_faults(self, target: str | None) -> Response:
        """Every fault, or only those of `?target=` (e.g. graph: Meta back while SES still throttles)."""
        if target is not None and target not in ("graph", *self.stack.faults.TARGETS):
            return _error(400, "bad_request", f"unknown fault target {target!r}")
        if target in (None, "graph"):
            self.stack.graph.clear_faults()
        if target != "graph":
            self.stack.faults.clear(target)
        return _json(200, {"armed": 0})

    def arm_faults(self, request: Request) -> Response:
        """{"graph": {...}} for the Graph API stand-in, {"dynamodb"|"ses"|"sns"|"comprehend"|"lambda": {...}}
        for the rest (infra/local/faults.py); several at once are armed together, or none when one is
        wrong."""
        try:
            spec = json.loads(request.get_data() or b"null")
            if not isinstance(spec, dict) or not spec:
                raise ValueError('expected an object such as {"ses": {"times": 3}}')
            armed = self.stack.faults.validate({k: v for k, v in spec.items() if k != "graph"})
            times = self.stack.graph.set_faults({"graph": spec["graph"]}) if "graph" in spec else 0
            self.stack.faults.arm(armed)
        except ValueError as exc:
            return _error(400, "bad_request", str(exc))
        count = sum(v.times if hasattr(v, "times") else v for v in armed.values())
        return _json(200, {"armed": times + count})

    def static(self, path: str) -> Response:
        relative = "index.html" if path in ("/", "") else path.lstrip("/")
        target = (DASHBOARD / relative).resolve()
        if not str(target).startswith(str(DASHBOARD.resolve())) or not target.is_file():
            return _error(404, "not_found", f"no route GET {path}")
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        headers = {
            "Content-Security-Policy": self.stack.dashboard_csp(),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "strict-origin-when-cross-origin",
        }
        return Response(target.read_bytes(), content_type=content_type, headers=headers)
