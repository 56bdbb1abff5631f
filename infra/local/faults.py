"""Faults the local stack can inject into the AWS services it fakes and into its functions, for the load
and fault tests: what Amazon answers when it throttles or breaks, on the same calls the handlers make.

    POST /local/faults {"ses": {"times": 8}}                  SES throttles the next 8 sends
                       {"sns": {"times": 4}}                  SNS fails the next 4 publishes (500)
                       {"comprehend": {"times": 5}}           Comprehend throttles the next 5 calls
                       {"states": {"times": 5}}               Step Functions throttles the next 5
                                                              SendTaskSuccess calls
                       {"lambda": {"function": "RouteFunction", "times": 2}}
                                                              that function raises on its next 2 runs
                       {"lambda": {"function": "ReplyFunction", "duplicate": true}}
                                                              its next invocation is delivered twice, at
                                                              once (Express is at-least-once)
                       {"dynamodb": {"skip": 3, "times": 2, "error": "ThrottlingException"}}
                                                              of the functions' DynamoDB requests from now
                                                              on, the 4th and 5th fail with that error
                       {"dynamodb": {"skip": 3, "error": "TransactionConflict"}}
                                                              a transaction is cancelled as DynamoDB does
                                                              when another one holds an item
                       {"dynamodb": {"skip": 3, "crash": true}}
                                                              the invocation making the 4th request dies
                                                              there (as on a timeout or out of memory)
                       {"dynamodb": {"delay_seconds": 3, "function": "ReplyFunction",
                                     "operation": "UpdateItem", "table": "MessagesTable"}}
                                                              that request answers 3 s late; `function`,
                                                              `operation` and `table` narrow which
                                                              requests any dynamodb fault counts
    DELETE /local/faults                                      every fault cleared
    DELETE /local/faults?target=graph                         only that target's (here the Graph API's)
(The Graph API's faults, {"graph": ...}, live in the Graph stand-in.) A fault is spent by each call it
fails, so a burst ends by itself: recovery is what happens next.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from moto.core.exceptions import ServiceException

from infra.local.sandbox import Invocation, InvocationKilled


@dataclass(frozen=True)
class AwsFault:
    backend: str  # "module:Class" of the moto backend
    methods: tuple[str, ...]
    code: str  # the error code Amazon returns, which decides how botocore retries it
    message: str


AWS_FAULTS = {
    "ses": AwsFault("moto.ses.models:SESBackend", ("send_email", "send_raw_email", "send_templated_email"),
                    "Throttling", "Maximum sending rate exceeded."),
    "sns": AwsFault("moto.sns.models:SNSBackend", ("publish",), "InternalError",
                    "An internal service error has occurred."),
    "comprehend": AwsFault("moto.comprehend.models:ComprehendBackend",
                           ("detect_sentiment", "detect_dominant_language"), "ThrottlingException",
                           "Rate exceeded"),
    # SendTaskSuccess throttled: a human's action that cannot wake its workflow must fail and be retried.
    "states": AwsFault("moto.stepfunctions.parser.models:StepFunctionsParserBackend", ("send_task_success",),
                       "ThrottlingException", "Rate exceeded"),
}  # fmt: skip

# DynamoDB's error answers: HTTP status and message, as the service sends them.
DYNAMODB_ERRORS = {
    "InternalServerError": (500, "Internal server error"),
    "ProvisionedThroughputExceededException": (400, "The level of configured provisioned throughput for the "
                                               "table was exceeded. Consider increasing your provisioning "
                                               "level with the UpdateTable API."),
    "ThrottlingException": (400, "Rate of requests exceeds the allowed throughput."),
    "RequestLimitExceeded": (400, "Throughput exceeds the current throughput limit for your account."),
    "TransactionConflict": (400, "Transaction is ongoing for the item"),
}  # fmt: skip


class InjectedServiceError(ServiceException):
    """Serialized by moto as the service's own error response, with the code we give it."""


class InjectedFault(RuntimeError):
    """What a function raises when the local stack is told to make it fail."""


@dataclass
class DynamoDBFault:
    skip: int
    times: int
    error: str | None  # None with crash or delay
    crash: bool
    delay_seconds: float = 0.0
    # Only requests matching these count (extensions of CONTRACT section 2's fault, for targeted tests).
    function: str | None = None
    operation: str | None = None
    table: str | None = None
    seen: int = 0  # the matching DynamoDB requests since it was armed

    def matches(self, invocation: Invocation, operation: str, tables: set[str]) -> bool:
        return (
            self.function in (None, invocation.function)
            and self.operation in (None, operation)
            and (self.table is None or self.table in tables)
        )


def _request_target(request: Any) -> tuple[str, set[str]]:
    """(operation, tables) of a DynamoDB HTTP request."""
    target = request.headers.get("X-Amz-Target", b"")
    operation = (target.decode() if isinstance(target, bytes) else target).rpartition(".")[2]
    body = json.loads(request.body or b"{}")
    tables = {body["TableName"]} if "TableName" in body else set(body.get("RequestItems", {}))
    for item in body.get("TransactItems", []):
        tables |= {
            part["TableName"] for part in item.values() if isinstance(part, dict) and "TableName" in part
        }
    return operation, tables


def dynamodb_error_response(request: Any, code: str) -> AWSResponse:
    status, message = DYNAMODB_ERRORS[code]
    target = request.headers.get("X-Amz-Target", b"")
    operation = (target.decode() if isinstance(target, bytes) else target).rpartition(".")[2]
    body: dict[str, Any] = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message}
    if code == "TransactionConflict":
        if operation.startswith("Transact"):
            items = json.loads(request.body or b"{}").get("TransactItems", [])
            reasons = [{"Code": "None"} for _ in items[:-1]] + [
                {"Code": "TransactionConflict", "Message": message}
            ]
            codes = ", ".join(r["Code"] for r in reasons)
            body = {
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
                f"[{codes}]",
                "CancellationReasons": reasons,
            }
        else:
            body["__type"] = "com.amazonaws.dynamodb.v20120810#TransactionConflictException"
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "LOCAL-FAULT"}
    return AWSResponse(request.url, status, headers, MockRawResponse(json.dumps(body).encode()))


class Faults:
    TARGETS = ("dynamodb", *AWS_FAULTS, "lambda")  # what POST arms and DELETE ?target= clears (and graph)

    def __init__(self, functions: set[str]) -> None:
        self._functions = functions
        self._lock = threading.Lock()
        self._left: dict[str, int] = {}
        self._dynamodb: DynamoDBFault | None = None
        self._installed = False
        # While a test records (`recording()`): every DynamoDB request a function made, in order, as
        # (function, operation, tables): the crash points a sweep then goes through one by one.
        self._recorded: list[tuple[str, str, tuple[str, ...]]] | None = None

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[tuple[str, str, tuple[str, ...]]]]:
        self._recorded = recorded = []
        try:
            yield recorded
        finally:
            self._recorded = None

    # ------------------------------------------------------------------------------------- arming
    def arm(self, armed: dict[str, Any]) -> None:
        """Arms what `validate` returned."""
        self.install()
        with self._lock:
            for target, value in armed.items():
                if target == "dynamodb":
                    self._dynamodb = value
                else:
                    self._left[target] = value

    def validate(self, spec: dict[str, Any]) -> dict[str, Any]:
        """{target: times (or the DynamoDB fault)} for a whole spec, or ValueError naming what is wrong
        (nothing armed yet)."""
        armed: dict[str, Any] = {}
        for target, options in spec.items():
            if not isinstance(options, dict):
                raise ValueError(f'{target}: expected an object like {{"times": 3}}')
            times = options.get("times", 1)
            if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= 1000:
                raise ValueError(f"{target}: times must be an integer from 1 to 1000")
            if target == "lambda":
                function = options.get("function")
                if function not in self._functions:
                    raise ValueError(f"lambda: function must be one of {sorted(self._functions)}")
                kind = "duplicate" if options.get("duplicate") is True else "lambda"
                armed[f"{kind}:{function}"] = times
            elif target == "dynamodb":
                armed["dynamodb"] = self._validate_dynamodb(options, times)
            elif target in AWS_FAULTS:
                armed[target] = times
            else:
                raise ValueError(
                    f"unknown fault target '{target}' (graph, dynamodb, {', '.join(AWS_FAULTS)}, lambda)"
                )
        return armed

    def _validate_dynamodb(self, options: dict[str, Any], times: int) -> DynamoDBFault:
        known = ("skip", "times", "error", "crash", "delay_seconds", "function", "operation", "table")
        unknown = set(options) - set(known)
        if unknown:
            raise ValueError(f"dynamodb: unknown option(s) {sorted(unknown)} ({', '.join(known)})")
        skip = options.get("skip", 0)
        if not isinstance(skip, int) or isinstance(skip, bool) or not 0 <= skip <= 100_000:
            raise ValueError("dynamodb: skip must be an integer from 0 to 100000")
        crash = options.get("crash", False)
        if not isinstance(crash, bool):
            raise ValueError("dynamodb: crash must be true or false")
        delay = options.get("delay_seconds", 0)
        if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= 60:
            raise ValueError("dynamodb: delay_seconds must be a number from 0 to 60")
        if sum((crash, bool(delay), "error" in options)) > 1:
            raise ValueError("dynamodb: give one of error, crash and delay_seconds")
        error = None if crash or delay else options.get("error", "InternalServerError")
        if error is not None and error not in DYNAMODB_ERRORS:
            raise ValueError(f"dynamodb: error must be one of {sorted(DYNAMODB_ERRORS)}")
        function = options.get("function")
        if function is not None and function not in self._functions:
            raise ValueError(f"dynamodb: function must be one of {sorted(self._functions)}")
        for name in ("operation", "table"):
            if options.get(name) is not None and not isinstance(options[name], str):
                raise ValueError(f"dynamodb: {name} must be a string")
        return DynamoDBFault(
            skip=skip,
            times=1 if crash else times,
            error=error,
            crash=crash,
            delay_seconds=float(delay),
            function=function,
            operation=options.get("operation"),
            table=options.get("table"),
        )

    def clear(self, target: str | None = None) -> None:
        """Every fault, or only `target`'s ("lambda" clears every function's)."""
        with self._lock:
            if target is None:
                self._left.clear()
                self._dynamodb = None
            elif target == "dynamodb":
                self._dynamodb = None
            else:
                prefixes = ("lambda:", "duplicate:") if target == "lambda" else (f"{target}:",)
                for key in [k for k in self._left if k == target or k.startswith(prefixes)]:
                    del self._left[key]

    def take(self, target: str) -> bool:
        """True (and one fault spent) when `target` should fail now."""
        with self._lock:
            if self._left.get(target, 0) <= 0:
                return False
            self._left[target] -= 1
            return True

    def raise_if_armed(self, function: str) -> None:
        if self.take(f"lambda:{function}"):
            raise InjectedFault(f"injected fault in {function}")

    def on_dynamodb_request(self, invocation: Invocation, request: Any) -> AWSResponse | None:
        """Called for every DynamoDB HTTP request a function invocation makes (infra/local/sandbox.py):
        None to let it through, an error response to answer it with, or the invocation dies here."""
        with self._lock:
            if self._recorded is not None:
                operation, tables = _request_target(request)
                self._recorded.append((invocation.function, operation, tuple(sorted(tables))))
            fault = self._dynamodb
            if fault is None or not fault.matches(invocation, *_request_target(request)):
                return None
            index = fault.seen
            fault.seen += 1
            if index < fault.skip:
                return None
            if index >= fault.skip + fault.times:
                self._dynamodb = None
                return None
            if index == fault.skip + fault.times - 1:
                self._dynamodb = None  # spent
        if fault.crash:
            invocation.kill("crash")
            raise InvocationKilled(f"crashed at DynamoDB request {index + 1} ({invocation.function})")
        if fault.delay_seconds:
            time.sleep(fault.delay_seconds)  # DynamoDB slow to answer; a sandbox past its Timeout is gone
            invocation.check_alive()
            return None
        return dynamodb_error_response(request, fault.error)

    @property
    def dynamodb_armed(self) -> bool:
        return self._dynamodb is not None

    # ------------------------------------------------------------------------------------- wiring
    def install(self) -> None:
        """Wrap the moto backends' methods once; an unarmed wrapper only passes the call through."""
        if self._installed:
            return
        armed = self
        for target, fault in AWS_FAULTS.items():
            module_name, class_name = fault.backend.split(":")
            backend = getattr(importlib.import_module(module_name), class_name)
            for name in fault.methods:
                original = getattr(backend, name, None)
                if original is None:
                    continue

                @functools.wraps(original)
                def failing(self_, *args, __original=original, __target=target, __fault=fault, **kwargs):
                    if armed.take(__target):
                        raise InjectedServiceError(__fault.code, __fault.message)
                    return __original(self_, *args, **kwargs)

                setattr(backend, name, failing)
        self._installed = True
