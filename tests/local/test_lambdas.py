"""The in-process Lambda dispatcher: moto's invokes reach the real handlers named in template.yaml."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from aws_lambda_powertools import Logger, Metrics

from infra.local import sandbox
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


def _on_two_workers_at_once(*invocations: Callable[[], None]) -> None:
    """Each on its own thread, as two warm sandboxes; a failed assertion in either fails the test."""
    with ThreadPoolExecutor(max_workers=len(invocations)) as pool:
        for running in [pool.submit(invocation) for invocation in invocations]:
            running.result(timeout=20)


def test_invocations_on_two_workers_at_once_each_flush_only_their_own_metrics() -> None:
    """Powertools keeps metrics in a store every `Metrics()` of a process shares; in Lambda a process is
    one sandbox. Two invocations running at once in the local stack (two worker threads) must not flush,
    clear or iterate each other's metrics (that raised "dictionary changed size during iteration")."""
    sandbox.install()
    metrics = Metrics(namespace="LocalStackTest", service="test")  # one per process, as in the package
    slow_added, quick_flushed = threading.Event(), threading.Event()
    documents: dict[str, dict] = {}

    def slow() -> None:  # adds, and flushes only after the other invocation has flushed
        metrics.add_metric(name="SlowOne", unit="Count", value=1)
        slow_added.set()
        assert quick_flushed.wait(10)
        documents["slow"] = metrics.provider.serialize_metric_set()
        metrics.clear_metrics()

    def quick() -> None:
        assert slow_added.wait(10)
        metrics.add_metric(name="QuickOne", unit="Count", value=2)
        documents["quick"] = metrics.provider.serialize_metric_set()
        metrics.clear_metrics()
        quick_flushed.set()

    _on_two_workers_at_once(slow, quick)

    def emitted(document: dict) -> dict[str, float]:
        names = [m["Name"] for m in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
        return {name: document[name] for name in names}

    assert emitted(documents["quick"]) == {"QuickOne": [2.0]}
    assert emitted(documents["slow"]) == {"SlowOne": [1.0]}
    assert documents["slow"]["service"] == "test"  # each sandbox starts with the default dimensions


def test_invocations_on_two_workers_at_once_each_log_only_their_own_keys() -> None:
    """Powertools Logger's keys live on one formatter per service, per process (a sandbox in Lambda): an
    invocation's appended keys must not appear on, or be cleared from, another's lines."""
    sandbox.install()
    lines = io.StringIO()
    logger = Logger(service="two-workers", level="INFO", logger_handler=logging.StreamHandler(lines))
    first_appended, second_logged = threading.Event(), threading.Event()

    def first() -> None:
        logger.append_keys(message_id="first")
        first_appended.set()
        assert second_logged.wait(10)
        logger.info("from the first")

    def second() -> None:
        assert first_appended.wait(10)
        logger.append_keys(request="second")
        logger.info("from the second")
        second_logged.set()

    _on_two_workers_at_once(first, second)
    logged = {line["message"]: line for line in map(json.loads, lines.getvalue().splitlines())}
    assert logged["from the first"]["message_id"] == "first" and "request" not in logged["from the first"]
    assert logged["from the second"]["request"] == "second" and "message_id" not in logged["from the second"]
    assert logged["from the second"]["service"] == "two-workers"  # each sandbox starts with the defaults
