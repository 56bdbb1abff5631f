"""The in-process Lambda dispatcher: moto's invokes reach the real handlers named in template.yaml."""

from __future__ import annotations

import json

import pytest

from infra.local.lambdas import LambdaDispatcher
from infra.local.template import Resolver


@pytest.fixture(scope="module")
def dispatcher() -> LambdaDispatcher:
    return LambdaDispatcher(Resolver({"SenderEmail": "a@b.c"}))


def test_every_template_function_is_known_by_name_and_arn(dispatcher: LambdaDispatcher) -> None:
    assert set(dispatcher.specs) == {"WebhookFunction", "DetectFunction", "RouteFunction", "NotifyFunction",
                                     "ReplyFunction", "ApiFunction", "AutoCloseFunction", "InboundFunction"}  # fmt: skip
    arn = "arn:aws:lambda:us-east-1:123456789012:function:RouteFunction"
    assert dispatcher.resolve_name(arn) == "RouteFunction"
    assert dispatcher.resolve_name(arn + ":$LATEST") == "RouteFunction"
    with pytest.raises(KeyError):
        dispatcher.resolve_name("NoSuchFunction")


def test_handler_errors_become_unhandled_function_errors(dispatcher: LambdaDispatcher) -> None:
    payload, error = dispatcher.invoke_payload("RouteFunction", json.dumps({"action": "not-an-action"}))
    assert error == "Unhandled"
    body = json.loads(payload)
    assert body["errorType"] and "action" in body["errorMessage"]


def test_a_handler_runs_with_a_lambda_like_context(dispatcher: LambdaDispatcher) -> None:
    event = {
        "httpMethod": "GET",
        "path": "/health",
        "resource": "/health",
        "headers": {},
        "requestContext": {},
    }
    result = dispatcher.invoke("ApiFunction", event)
    assert result["statusCode"] == 200 and json.loads(result["body"]) == {"status": "ok"}
