"""The local gateway routes exactly the template's API paths, most specific first."""

from __future__ import annotations

import requests

from infra.local.gateway import template_routes
from infra.local.template import Resolver
from tests.conftest import Client


def _route(routes, method: str, path: str):
    return next(r for r in routes if r.pattern.match(path) and r.method in ("ANY", method))


def test_specific_routes_win_over_the_proxy() -> None:
    routes = template_routes(Resolver({"SenderEmail": "a@b.c"}))
    assert _route(routes, "POST", "/api/tickets/T1/reply").function == "ReplyFunction"
    assert _route(routes, "POST", "/api/tickets/T1/close").function == "ApiFunction"
    webhook = _route(routes, "POST", "/webhook")
    assert webhook.function == "WebhookFunction" and not webhook.authorized
    assert _route(routes, "GET", "/api/me").authorized


def test_health_config_and_unknown_paths(client: Client) -> None:
    assert requests.get(f"{client.base}/health").json() == {"status": "ok"}
    config = requests.get(f"{client.base}/config.json").json()
    assert set(config) == {"region", "userPoolId", "userPoolClientId", "cognitoEndpoint", "apiBase"}
    assert config["cognitoEndpoint"] == client.stack.aws_url
    # API Gateway's MISSING_AUTHENTICATION_TOKEN, as template.yaml's GatewayResponses shape it.
    nowhere = requests.post(f"{client.base}/nowhere")
    assert nowhere.status_code == 404 and nowhere.json()["error"]["code"] == "not_found"
    no_token = requests.get(f"{client.base}/api/tickets")
    assert no_token.status_code == 401 and no_token.json()["error"]["code"] == "unauthorized"


def test_faults_make_the_graph_api_fail_then_recover(client: Client) -> None:
    assert (
        requests.post(f"{client.base}/local/faults", json={"graph": {"status": 503, "times": 2}}).status_code
        == 200
    )
    assert requests.post(f"{client.base}/local/faults", json={"graph": {"times": 2}}).status_code == 400
    armed = requests.post(f"{client.base}/local/faults", json={"graph": {"error_code": 131047, "times": 1}})
    assert armed.json() == {"armed": 1}
    url = f"{client.base}/local/graph/v21.0/100000000000001/messages"
    body = {"messaging_product": "whatsapp", "to": "1555", "type": "text", "text": {"body": "x"}}
    failed = requests.post(url, json=body, headers={"Authorization": "Bearer t"})
    assert failed.status_code == 400 and failed.json()["error"]["code"] == 131047
    ok = requests.post(url, json=body, headers={"Authorization": "Bearer t"})
    assert ok.status_code == 200 and ok.json()["messages"][0]["id"].startswith("wamid.")
    assert requests.delete(f"{client.base}/local/faults").json() == {"armed": 0}


def test_cors_comes_from_the_functions_for_the_dashboards_origin_only(client: Client) -> None:
    """With Lambda proxy integration API Gateway adds no CORS header to a function's answer: the API
    function sends Access-Control-Allow-Origin itself, for the dashboard's origin (DASHBOARD_URL) only."""
    origin = client.stack.resolver.parameters["DashboardOrigin"]
    token = {"Authorization": f"Bearer {client.token('alice@demo.test')}"}
    mine = requests.get(f"{client.base}/api/me", headers={**token, "Origin": origin})
    assert mine.status_code == 200 and mine.headers["Access-Control-Allow-Origin"] == origin
    elsewhere = requests.get(f"{client.base}/api/me", headers={**token, "Origin": "https://evil.example"})
    assert elsewhere.status_code == 200 and "Access-Control-Allow-Origin" not in elsewhere.headers
    assert "Access-Control-Allow-Origin" not in requests.get(f"{client.base}/api/me", headers=token).headers
    # The reply function answers CORS the same way (its own resolver).
    reply = requests.post(
        f"{client.base}/api/tickets/NOPE/reply", json={"text": "x"}, headers={**token, "Origin": origin}
    )
    assert reply.status_code == 404 and reply.headers["Access-Control-Allow-Origin"] == origin


def test_only_the_templates_preflight_and_gateway_responses_carry_cors_of_their_own(client: Client) -> None:
    origin = client.stack.resolver.parameters["DashboardOrigin"]
    preflight = requests.options(f"{client.base}/api/tickets", headers={"Origin": origin})
    assert preflight.status_code == 200  # SAM's mock integration, no authorizer
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert preflight.headers["Access-Control-Allow-Headers"] == "Authorization,Content-Type,Idempotency-Key"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,POST,PUT,DELETE,OPTIONS"
    no_token = requests.get(f"{client.base}/api/tickets", headers={"Origin": origin})
    assert no_token.status_code == 401 and no_token.headers["Access-Control-Allow-Origin"] == origin
    webhook = requests.get(
        f"{client.base}/webhook", params={"hub.mode": "subscribe"}, headers={"Origin": origin}
    )
    assert webhook.status_code == 403 and "Access-Control-Allow-Origin" not in webhook.headers
