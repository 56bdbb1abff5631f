"""In-process Lambda: moto's Step Functions engine invokes functions through moto's Lambda API, whose
no-Docker backend only echoes. This routes those invokes (and the local API gateway's) to the real
handlers named in template.yaml, with a Lambda-like context."""

from __future__ import annotations

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
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local.template import ACCOUNT, REGION, ROOT, Resolver, load_template

# Warm instances per function. An HTTP function's module holds Powertools' resolver and routers, which
# keep the current request on the instance, as in Lambda where an instance runs one invocation at a time:
# two concurrent requests in one module would read each other's events, so those run one at a time. The
# workflow steps keep nothing per request in module state and run several at once, as Lambda scales them.
HTTP_WORKERS = 1
STEP_WORKERS = 8


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 256
    timeout_seconds: int = 15
    aws_request_id: str = ""
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    code_dir: Path
    handler: str  # "module.function"
    memory: int
    timeout: int
    service: str


class LambdaDispatcher:
    """Function name (or ARN) -> the real handler, imported once from its CodeUri."""

    def __init__(self, resolver: Resolver) -> None:
        defaults = load_template()["Globals"]["Function"]
        self.specs: dict[str, FunctionSpec] = {}
        for logical_id, resource in resolver.of_type("AWS::Serverless::Function").items():
            props = resource["Properties"]
            env = props.get("Environment", {}).get("Variables", {})
            self.specs[resolver.physical_name(logical_id)] = FunctionSpec(
                name=resolver.physical_name(logical_id),
                code_dir=ROOT / props["CodeUri"],
                handler=props["Handler"],
                memory=int(props.get("MemorySize", defaults.get("MemorySize", 128))),
                timeout=int(props.get("Timeout", defaults.get("Timeout", 3))),
                service=str(env.get("POWERTOOLS_SERVICE_NAME", logical_id)),
            )
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.Lock()
        # Long-lived worker threads play the part of warm Lambda instances, a pool per function as each
        # function has its own concurrency in AWS: per-thread state such as PynamoDB's botocore sessions
        # is built once per worker, not once per invocation (moto and werkzeug would otherwise run every
        # invocation on a brand-new thread), and the API never queues behind workflow steps.
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
        self.invocations: list[tuple[str, float]] = []  # (function, seconds): the cost model reads these
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

    def invoke(self, name_or_arn: str, event: Any) -> Any:
        return self._warm[self.resolve_name(name_or_arn)].submit(self._run, name_or_arn, event).result()

    def _run(self, name_or_arn: str, event: Any) -> Any:
        name = self.resolve_name(name_or_arn)
        spec = self.specs[name]
        handler = self._handler(name)
        context = LambdaContext(name, spec.memory, spec.timeout, str(uuid.uuid4()))
        started = time.perf_counter()
        try:
            if self.faults is not None:
                self.faults.raise_if_armed(name)  # a function failing mid-workflow (tests)
            return handler(event, context)
        finally:
            self.invocations.append((name, time.perf_counter() - started))

    def invoke_payload(self, name_or_arn: str, body: bytes | str | None) -> tuple[bytes, str | None]:
        """Lambda's Invoke contract: (payload, function error). A raised exception becomes an
        "Unhandled" function error with errorType/errorMessage, as in AWS."""
        event = json.loads(body) if body else {}
        try:
            result = self.invoke(name_or_arn, event)
        except Exception as exc:
            error = {
                "errorType": type(exc).__name__,
                "errorMessage": str(exc),
                "stackTrace": traceback.format_exception(exc)[-5:],
            }
            if os.environ.get("LOCAL_STACK_VERBOSE"):
                traceback.print_exc()
            return json.dumps(error).encode(), "Unhandled"
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
