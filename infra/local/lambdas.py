"""In-process Lambda: moto's Step Functions engine invokes functions through moto's Lambda API, whose
no-Docker backend only echoes. This routes those invokes (and the local API gateway's) to the real
handlers of the translated template, each invocation as Lambda runs it: with its function's role
(infra/local/sandbox.py), its own environment (infra/local/environment.py), a Lambda-like context, and
the function's Timeout: past it the caller gets `Sandbox.Timedout` while what the handler already did
stays done and nothing more it tries reaches AWS or the Graph API."""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import importlib.util
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local import sandbox
from infra.local.roles import role_of
from infra.local.template import ACCOUNT, REGION, Resolver, local_path

# Warm instances per function. An HTTP function's module holds Powertools' resolver and routers, which
# keep the current request on the instance, as in Lambda where an instance runs one invocation at a time:
# two concurrent requests in one module would read each other's events, so those run one at a time. The
# workflow steps keep nothing per request in module state and run several at once, as Lambda scales them.
HTTP_WORKERS = 1
STEP_WORKERS = 8


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    invocation: sandbox.Invocation
    function_version: str = "$LATEST"

    @property
    def aws_request_id(self) -> str:
        return self.invocation.request_id

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self.invocation.remaining_seconds() * 1000))


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    logical_id: str
    code_dir: Path
    handler: str  # "module.function"
    memory: int
    timeout: int
    role: str  # logical id of its role
    environment: dict[str, str] = field(default_factory=dict)


class FunctionError(Exception):
    """The invocation ended in a function error: what Lambda's Invoke reports (errorType, errorMessage)."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message
        self.trace = trace or []

    def payload(self) -> dict[str, Any]:
        return {"errorType": self.error_type, "errorMessage": self.message, "stackTrace": self.trace}


@dataclass(frozen=True)
class AsyncConfig:
    """AWS::Lambda::EventInvokeConfig: what Lambda does with a failed asynchronous invocation."""

    retries: int = 2  # Lambda's default
    on_failure: str | None = None  # destination ARN (an SQS queue here)


def async_configs(resolver: Resolver) -> dict[str, AsyncConfig]:
    configs = {}
    for resource in resolver.of_type("AWS::Lambda::EventInvokeConfig").values():
        props = resolver.resolve(resource["Properties"])
        failure = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        configs[props["FunctionName"]] = AsyncConfig(int(props.get("MaximumRetryAttempts", 2)), failure)
    return configs


def function_specs(resolver: Resolver) -> dict[str, FunctionSpec]:
    specs = {}
    for logical_id, resource in resolver.of_type("AWS::Lambda::Function").items():
        props = resource["Properties"]
        name = resolver.physical_name(logical_id)
        specs[name] = FunctionSpec(
            name=name,
            logical_id=logical_id,
            code_dir=local_path(props["Code"]["S3Key"]),
            handler=props["Handler"],
            memory=int(props.get("MemorySize", 128)),
            timeout=int(props.get("Timeout", 3)),
            role=role_of(resolver, logical_id),
            environment=resolver.function_environment(logical_id),
        )
    return specs


class LambdaDispatcher:
    """Function name (or ARN) -> the real handler, imported once from its code folder."""

    def __init__(self, resolver: Resolver) -> None:
        self.specs = function_specs(resolver)
        self.async_configs = async_configs(resolver)
        self._async = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lambda-async")
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.Lock()
        # Long-lived worker threads play the part of warm Lambda instances, a pool per function as each
        # function has its own concurrency in AWS: per-thread state such as PynamoDB's botocore sessions
        # is built once per worker, not once per invocation, and the API never queues behind workflow
        # steps.
        http = {
            resolver.physical_name(logical_id)
            for logical_id, resource in resolver.of_type("AWS::Serverless::Function").items()
            if any(e["Type"] == "Api" for e in resource["Properties"].get("Events", {}).values())
        }
        self._warm = {
            name: ThreadPoolExecutor(
                max_workers=HTTP_WORKERS if name in http else STEP_WORKERS,
                thread_name_prefix=f"lambda-{name}",
            )
            for name in self.specs
        }
        self._timeouts: dict[str, float] = {}  # overrides of a function's Timeout (tests)
        self._active = 0  # invocations submitted and not yet ended (synchronous and asynchronous)
        self._quiet = threading.Condition()
        self.invocations: list[tuple[str, float]] = []  # (function, seconds): the cost model reads these
        self.errors: list[tuple[str, str]] = []  # (function, error type) of every failed invocation
        self.error_messages: list[str] = []  # ... and what each said (a test that fails prints them)
        self.faults: Any = None  # infra.local.faults.Faults, set by the stack

    def _handler(self, name: str) -> Callable[[Any, Any], Any]:
        spec = self.specs[name]
        module_name, function = spec.handler.rsplit(".", 1)
        module = self._modules.get(name)
        if module is not None:
            return getattr(module, function)
        with self._lock:
            module = self._modules.get(name)
            if module is None:
                path = spec.code_dir / f"{module_name.replace('.', '/')}.py"
                unique = f"lambda_{name}_{module_name}"
                loader_spec = importlib.util.spec_from_file_location(unique, path)
                module = importlib.util.module_from_spec(loader_spec)
                sys.modules[unique] = module  # pydantic resolves postponed annotations through it
                loader_spec.loader.exec_module(module)
                self._modules[name] = module
        return getattr(module, function)

    def resolve_name(self, name_or_arn: str) -> str:
        name = name_or_arn.split(":function:")[-1].split(":")[0]
        if name not in self.specs:
            raise KeyError(f"no function '{name}' in template.yaml")
        return name

    # ------------------------------------------------------------------------------ invoking
    def invoke(self, name_or_arn: str, event: Any) -> Any:
        """Run one invocation and return its result, or raise FunctionError as Lambda reports it."""
        name = self.resolve_name(name_or_arn)
        copies = 2 if self.faults is not None and self.faults.take(f"duplicate:{name}") else 1
        # An at-least-once delivery (a duplicated Express step): the same event runs twice at once; the
        # caller sees the first outcome once both have ended.
        outcomes = [self._start(name, event if i == 0 else copy.deepcopy(event)) for i in range(copies)]
        results = [self._finish(*outcome) for outcome in outcomes]
        first = results[0]
        if isinstance(first, FunctionError):
            raise first
        return first

    @contextlib.contextmanager
    def timeout(self, name: str, seconds: float):
        """A function's Timeout changed for a while (as `aws lambda update-function-configuration
        --timeout` would), so a test can take a sandbox past it without waiting the template's."""
        self._timeouts[name] = seconds
        try:
            yield
        finally:
            self._timeouts.pop(name, None)

    def _start(self, name: str, event: Any) -> tuple[sandbox.Invocation, threading.Event, Any]:
        spec = self.specs[name]
        timeout = self._timeouts.get(name, float(spec.timeout))
        invocation = sandbox.Invocation(name, str(uuid.uuid4()), timeout, spec.role)
        started = threading.Event()
        future = self._tracked(self._warm[name].submit(self._run, spec, invocation, event, started))
        return invocation, started, future

    def _tracked(self, future: concurrent.futures.Future) -> concurrent.futures.Future:
        with self._quiet:
            self._active += 1
        future.add_done_callback(self._ended)
        return future

    def _ended(self, _future: concurrent.futures.Future) -> None:
        with self._quiet:
            self._active -= 1
            self._quiet.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Every invocation submitted so far has ended (a stack reset waits for the last test's)."""
        with self._quiet:
            return self._quiet.wait_for(lambda: self._active == 0, timeout=timeout)

    def _finish(self, invocation: sandbox.Invocation, started: threading.Event, future: Any) -> Any:
        outcome = self._outcome(invocation, started, future)
        if isinstance(outcome, FunctionError):
            self.errors.append((invocation.function, outcome.error_type))
            self.error_messages.append(
                f"{invocation.function}: {outcome.error_type}: {outcome.message[:300]}"
            )
        return outcome

    def _outcome(self, invocation: sandbox.Invocation, started: threading.Event, future: Any) -> Any:
        while not started.wait(0.5):
            if future.done():  # failed before it could start (import error)
                break
        try:
            return future.result(timeout=max(0.0, invocation.remaining_seconds()))
        except concurrent.futures.TimeoutError:
            invocation.kill("timeout")
            return FunctionError(
                "Sandbox.Timedout", f"Task timed out after {invocation.timeout_seconds:.2f} seconds"
            )
        except sandbox.InvocationKilled as exc:
            if invocation.killed == "crash":
                return FunctionError("Runtime.ExitError", f"RequestId: {invocation.request_id} Error: {exc}")
            return FunctionError("Sandbox.Timedout", str(exc))
        except Exception as exc:
            if os.environ.get("LOCAL_STACK_VERBOSE"):
                traceback.print_exception(exc)
            return FunctionError(type(exc).__name__, str(exc), traceback.format_exception(exc)[-5:])

    def _run(
        self, spec: FunctionSpec, invocation: sandbox.Invocation, event: Any, started: threading.Event
    ) -> Any:
        principal = sandbox.Principal(spec.role, invocation.request_id, invocation)
        began = time.perf_counter()
        try:
            with sandbox.acting_as(principal):
                handler = self._handler(spec.name)  # the init phase: not part of the invocation's Timeout
                invocation.started_at = time.monotonic()
                started.set()
                if self.faults is not None:
                    self.faults.raise_if_armed(spec.name)  # a function failing mid-workflow (tests)
                return handler(event, LambdaContext(spec.name, spec.memory, invocation))
        finally:
            started.set()
            self.invocations.append((spec.name, time.perf_counter() - began))

    # Lambda waits about a minute, then two, between the retries of an asynchronous invocation; locally
    # the retries follow at once (what is retried, and what happens after the last, are the same).
    ASYNC_RETRY_DELAY_SECONDS = 0.05

    def invoke_async(self, name_or_arn: str, event: Any) -> concurrent.futures.Future:
        """InvocationType=Event (EventBridge schedules): retried as the function's EventInvokeConfig says,
        then, still failing, its event goes to the OnFailure destination with Lambda's record format.
        The future resolves to the result, or to the failure record once it is delivered."""
        name = self.resolve_name(name_or_arn)
        return self._tracked(self._async.submit(self._run_async, name, event))

    def _run_async(self, name: str, event: Any) -> Any:
        config = self.async_configs.get(name, AsyncConfig())
        error: FunctionError | None = None
        for attempt in range(1 + config.retries):
            if attempt:
                time.sleep(self.ASYNC_RETRY_DELAY_SECONDS * attempt)
            try:
                return self.invoke(name, copy.deepcopy(event))
            except FunctionError as failed:
                error = failed
        assert error is not None
        record = {
            "version": "1.0",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": 1 + config.retries,
            },
            "requestPayload": event,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": {"errorType": error.error_type, "errorMessage": error.message},
        }
        if config.on_failure:
            self._deliver_failure(name, config.on_failure, record)
        return record

    def _deliver_failure(self, name: str, destination: str, record: dict) -> None:
        """Lambda sends to a destination with the function's execution role (SAM grants it)."""
        import boto3

        *_, account, queue = destination.split(":")
        url = f"https://sqs.{REGION}.amazonaws.com/{account}/{queue}"
        with sandbox.acting_as(sandbox.Principal(self.specs[name].role, "lambda-destination")):
            boto3.client("sqs", region_name=REGION).send_message(QueueUrl=url, MessageBody=json.dumps(record))

    def invoke_payload(self, name_or_arn: str, body: bytes | str | None) -> tuple[bytes, str | None]:
        """Lambda's Invoke contract: (payload, function error). A raised exception becomes an
        "Unhandled" function error with errorType/errorMessage, as in AWS."""
        event = json.loads(body) if body else {}
        try:
            result = self.invoke(name_or_arn, event)
        except FunctionError as error:
            return json.dumps(error.payload()).encode(), "Unhandled"
        return json.dumps(result, default=str).encode(), None

    def install_into_moto(self) -> None:
        """Route moto's Lambda Invoke (no-Docker backend) to our handlers."""
        from moto.awslambda_simple.models import LambdaSimpleBackend

        dispatcher = self

        def invoke(backend, function_name, qualifier, body, headers, response_headers):
            payload, function_error = dispatcher.invoke_payload(function_name, body)
            if function_error:
                response_headers["x-amz-function-error"] = function_error
            return payload

        LambdaSimpleBackend.invoke = invoke
