"""What a Lambda sandbox (or a state machine's role) is allowed to do from inside the local stack.

Every function invocation runs on a worker thread that knows which invocation it is (`running`); the
Step Functions engine's execution threads know which state machine they run for. Every AWS call made
from such a thread is checked before moto sees it:
- the invocation must still be alive: one past its function's Timeout, or killed by a `crash` fault, makes
  no further call (AWS freezes and recycles the sandbox), and neither does its Graph API traffic;
- the caller's role must allow it (infra/local/iam.py, from the policies SAM generates), or the call fails
  with the service's AccessDenied error, as in AWS;
- DynamoDB requests pass the armed `dynamodb` faults (CONTRACT section 2) at the HTTP level, so botocore's
  own retries see what DynamoDB would answer.
Calls from anything else (tests, tools, the dashboard through moto's server) are not enforced: they play
the account administrator.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from infra.local.authorization import UnmappedCall, requests_for
from infra.local.iam import PolicySet

log = logging.getLogger(__name__)

# The error code each service answers an IAM denial with (what botocore raises, what our code catches).
DENIAL_CODES = {"ses": "AccessDenied", "sns": "AuthorizationError", "sqs": "AccessDenied"}


class InvocationKilled(BaseException):
    """Raised into a handler whose invocation timed out or crashed. A BaseException, as Lambda's own end
    of a sandbox is not something the handler's `except Exception` can intercept."""


@dataclass
class Invocation:
    function: str
    request_id: str
    timeout_seconds: float
    role: str | None = None  # logical id of the function's role
    started_at: float = field(default_factory=time.monotonic)
    killed: str | None = None  # why it ended early: "timeout" | "crash"
    dynamodb_requests: int = 0

    def remaining_seconds(self) -> float:
        return self.timeout_seconds - (time.monotonic() - self.started_at)

    def kill(self, why: str) -> None:
        self.killed = self.killed or why

    def check_alive(self) -> None:
        if self.killed:
            raise InvocationKilled(f"{self.function} invocation {self.request_id} ended ({self.killed})")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a function's invocation or a state machine's execution."""

    role: str  # logical id of the role
    session: str
    invocation: Invocation | None = None


_local = threading.local()


def current() -> Principal | None:
    return getattr(_local, "principal", None)


def current_invocation() -> Invocation | None:
    principal = current()
    return principal.invocation if principal else None


@contextlib.contextmanager
def acting_as(principal: Principal | None) -> Iterator[None]:
    previous = current()
    _local.principal = principal
    try:
        yield
    finally:
        _local.principal = previous


@dataclass
class Enforcement:
    """The local stack's checks, set up once per process (`install`) and pointed at the current stack."""

    policies: dict[str, PolicySet] = field(default_factory=dict)  # role logical id -> its policies
    iam_enabled: bool = True
    # LOCAL_IAM=audit: denials are recorded and logged but let through (to list everything a policy
    # lacks in one run); the default, and what `make test` runs, refuses them as AWS does.
    audit_only: bool = field(default_factory=lambda: os.environ.get("LOCAL_IAM") == "audit")
    dynamodb_fault: Callable[[Invocation, Any], Any] | None = None  # faults.Faults.on_dynamodb_request
    denials: list[dict[str, str]] = field(default_factory=list)  # what was refused (tests read it)

    def authorize(
        self, principal: Principal, service: str, operation: str, params: dict, client: Any
    ) -> None:
        if not self.iam_enabled:
            return
        policy = self.policies.get(principal.role)
        if policy is None:
            raise RuntimeError(f"local IAM: no policies for role {principal.role}")
        try:
            requests = requests_for(service, operation, params)
        except UnmappedCall as exc:
            raise RuntimeError(
                f"local IAM does not know what {exc} needs; add it to infra/local/authorization.py"
            ) from None
        for request in requests:
            decision = policy.decide(request)
            if decision.allowed:
                continue
            message = policy.denial_message(request, decision)
            self.denials.append(
                {"role": principal.role, "action": request.action, "resource": request.resource}
            )
            log.warning("local IAM denied: %s", message)
            if self.audit_only:
                continue
            code = DENIAL_CODES.get(service, "AccessDeniedException")
            error = client.exceptions.from_code(code)
            raise error(
                {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}},
                operation,
            )


ENFORCEMENT = Enforcement()
_installed = False
_install_lock = threading.Lock()


def install() -> Enforcement:
    """Patch, once per process: botocore's API calls, moto's in-process HTTP answers, requests' sends,
    the Step Functions engine's execution threads and Powertools' metric store and log keys."""
    global _installed
    with _install_lock:
        if _installed:
            return ENFORCEMENT
        _patch_api_calls()
        _patch_moto_requests()
        _patch_http_sends()
        _patch_state_machine_threads()
        _keep_metrics_per_sandbox()
        _keep_log_keys_per_sandbox()
        _installed = True
    return ENFORCEMENT


def _patch_api_calls() -> None:
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def _make_api_call(self, operation_name: str, api_params: dict) -> Any:
        principal = current()
        if principal is not None:
            if principal.invocation is not None:
                principal.invocation.check_alive()
            service = self.meta.service_model.signing_name or self.meta.service_model.endpoint_prefix
            ENFORCEMENT.authorize(principal, service, operation_name, api_params, self)
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = _make_api_call


def _patch_moto_requests() -> None:
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__

    def __call__(self, event_name: str, request: Any, **kwargs: Any) -> Any:
        invocation = current_invocation()
        if invocation is not None and self.enabled:
            invocation.check_alive()
            target = request.headers.get("X-Amz-Target", b"")
            target = target.decode() if isinstance(target, bytes) else target
            if target.startswith("DynamoDB_") and ENFORCEMENT.dynamodb_fault is not None:
                invocation.dynamodb_requests += 1
                answer = ENFORCEMENT.dynamodb_fault(invocation, request)
                if answer is not None:
                    return answer
        return original(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = __call__


def _patch_http_sends() -> None:
    """The Graph API (requests): a dead sandbox sends nothing more."""
    from requests.adapters import HTTPAdapter

    original = HTTPAdapter.send

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        invocation = current_invocation()
        if invocation is not None:
            invocation.check_alive()
        return original(self, request, *args, **kwargs)

    HTTPAdapter.send = send


STATE_MACHINE_ROLES: dict[str, str] = {}  # state machine ARN -> its role's logical id


def _patch_state_machine_threads() -> None:
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    original = ExecutionWorker._execution_logic

    def _execution_logic(self) -> None:
        details = self._evaluation_details
        machine = details.state_machine_details.arn
        role = STATE_MACHINE_ROLES.get(machine)
        principal = Principal(role, details.execution_details.name) if role else None
        with acting_as(principal):
            original(self)

    ExecutionWorker._execution_logic = _execution_logic


class _SandboxMetricStore:
    """One of Powertools Metrics' process-wide stores (metrics, dimensions, metadata), seen per thread.

    Every `Metrics()` of a process shares three class-level dicts, handed to its provider, so that metrics
    added anywhere in a function are flushed by its handler's `log_metrics`. A process is one sandbox in
    Lambda, running one invocation at a time; here every function's invocations run on threads of one
    process, where they would share the stores: one invocation flushing (iterating the dict) while another
    adds a metric raised "dictionary changed size during iteration" (a webhook 502 under load), and a
    flush printed other functions' metrics. Each worker thread plays a sandbox, so each thread gets its own
    stores, shared by all providers on it as they are in a sandbox. A provider given a dict of its own
    (`single_metric`) keeps it."""

    def __init__(self, name: str, shared: str) -> None:
        self.name = name  # the provider's attribute
        self.shared = shared  # the Metrics class attribute whose dict is per sandbox

    def __get__(self, provider: Any, owner: type | None = None) -> Any:
        if provider is None:
            return self
        from aws_lambda_powertools.metrics import Metrics

        value = provider.__dict__[self.name]
        if value is not getattr(Metrics, self.shared):
            return value
        stores = _local.__dict__.setdefault("metric_stores", {})
        if self.name not in stores:  # a new sandbox: as a fresh process starts (default dimensions set)
            fresh = Metrics._default_dimensions if self.name == "dimension_set" else {}
            stores[self.name] = {k: v if isinstance(v, str) else str(v) for k, v in fresh.items()}
        return stores[self.name]

    def __set__(self, provider: Any, value: Any) -> None:
        provider.__dict__[self.name] = value


def _keep_metrics_per_sandbox() -> None:
    from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

    for name, shared in (("metric_set", "_metrics"), ("dimension_set", "_dimensions"),
                         ("metadata_set", "_metadata")):  # fmt: skip
        setattr(AmazonCloudWatchEMFProvider, name, _SandboxMetricStore(name, shared))


class _SandboxLogKeys:
    """Powertools Logger's keys (`log_format` of the one formatter every `Logger()` of a service shares),
    seen per thread for the reason the metric store is: in Lambda they are the sandbox's, so an
    invocation's `append_keys` (its request id, the message id) must not land on, or be cleared from, the
    lines of another invocation running at the same time, and a line must not be formatted while another
    thread adds a key to the dict it reads. A new thread starts as `clear_state` leaves a formatter."""

    def __get__(self, formatter: Any, owner: type | None = None) -> Any:
        if formatter is None:
            return self
        keys = _local.__dict__.setdefault("log_keys", {})
        if id(formatter) not in keys:
            fresh = dict.fromkeys(formatter.log_record_order)
            fresh.update(**formatter.__dict__.get("keys_combined", {}))
            keys[id(formatter)] = fresh
        return keys[id(formatter)]

    def __set__(self, formatter: Any, value: Any) -> None:
        _local.__dict__.setdefault("log_keys", {})[id(formatter)] = value


def _keep_log_keys_per_sandbox() -> None:
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    LambdaPowertoolsFormatter.log_format = _SandboxLogKeys()
