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

from infra.local.template import ACCOUNT, REGION, ROOT, Resolver

logging.getLogger("werkzeug").setLevel(logging.ERROR)
DASHBOARD = ROOT / "dashboard"


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, ... or ANY
    path: str  # template path, e.g. /api/tickets/{id}/reply
    function: str
    authorized: bool
    pattern: re.Pattern

    @property
    def specificity(self) -> tuple[int, int, int]:
        segments = self.path.strip("/").split("/")
        greedy = sum(s.endswith("+}") for s in segments)
        literal = sum(not s.startswith("{") for s in segments)
        return (greedy, -literal, -len(segments))


def template_routes(resolver: Resolver) -> list[Route]:
    routes = []
    for logical_id, resource in resolver.of_type("AWS::Serverless::Function").items():
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] != "Api":
                continue
            props = event["Properties"]
            path = props["Path"]
            regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", path)
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
            authorized = props.get("Auth", {}).get("Authorizer") != "NONE"
            routes.append(
                Route(
                    props["Method"].upper(),
                    path,
                    resolver.physical_name(logical_id),
                    authorized,
                    re.compile(f"^{regex}$"),
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


def gateway_responses(resolver: Resolver) -> dict[str, tuple[int, str]]:
    """template.yaml's GatewayResponses: API Gateway's own errors (status, JSON body) by response type."""
    responses = {}
    for resource in resolver.of_type("AWS::Serverless::Api").values():
        for kind, spec in resource["Properties"].get("GatewayResponses", {}).items():
            status = int(spec.get("StatusCode", 500 if kind == "DEFAULT_5XX" else 400))
            responses[kind] = (status, spec["ResponseTemplates"]["application/json"])
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
        if request.method == "OPTIONS" and (path.startswith("/api/") or path == "/webhook"):
            return Response(status=204, headers=self.cors_headers())  # SAM's Cors: preflight, no auth
        for route in self.routes:
            match = route.pattern.match(path)
            if match and route.method in ("ANY", request.method):
                return self.invoke(route, match.groupdict(), request)
        if request.method == "GET":
            return self.static(path)
        return self.gateway_error("MISSING_AUTHENTICATION_TOKEN")  # what API Gateway answers an unknown route

    def gateway_error(self, kind: str) -> Response:
        status, body = self.gateway_responses[kind]
        return Response(body, status=status, content_type="application/json", headers=self.cors_headers())

    def cors_headers(self) -> dict[str, str]:
        return {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Headers": "Authorization,Content-Type",
            "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
        }

    def invoke(self, route: Route, path_parameters: dict, request: Request) -> Response:
        claims = None
        if route.authorized:
            claims = self.stack.token_verifier.claims(request.headers.get("Authorization"))
            if claims is None:
                return self.gateway_error("UNAUTHORIZED")
        event = self.rest_event(route, path_parameters, request, claims)
        result = self.stack.lambdas.invoke(route.function, event)
        body = result.get("body") or ""
        if result.get("isBase64Encoded"):
            body = base64.b64decode(body)
        headers = dict(result.get("headers") or {})
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = ", ".join(values)
        headers.setdefault("Access-Control-Allow-Origin", "*")
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
        if path == "/local/faults" and method == "POST":
            return self.arm_faults(request)
        if path == "/local/faults" and method == "DELETE":
            self.stack.graph.clear_faults()
            self.stack.faults.clear()
            return _json(200, {"armed": 0})
        return _error(404, "not_found", f"no local route {method} {path}")

    def arm_faults(self, request: Request) -> Response:
        """{"graph": {...}} for the Graph API stand-in, {"ses"|"sns"|"comprehend"|"lambda": {...}} for the
        rest (infra/local/faults.py); several at once are armed together, or none when one is wrong."""
        try:
            spec = json.loads(request.get_data() or b"null")
            if not isinstance(spec, dict) or not spec:
                raise ValueError('expected an object such as {"ses": {"times": 3}}')
            armed = self.stack.faults.validate({k: v for k, v in spec.items() if k != "graph"})
            times = self.stack.graph.set_faults({"graph": spec["graph"]}) if "graph" in spec else 0
            self.stack.faults.arm(armed)
        except ValueError as exc:
            return _error(400, "bad_request", str(exc))
        return _json(200, {"armed": times + sum(armed.values())})

    def static(self, path: str) -> Response:
        relative = "index.html" if path in ("/", "") else path.lstrip("/")
        target = (DASHBOARD / relative).resolve()
        if not str(target).startswith(str(DASHBOARD.resolve())) or not target.is_file():
            return _error(404, "not_found", f"no route GET {path}")
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return Response(target.read_bytes(), content_type=content_type)
