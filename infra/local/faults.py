"""Faults the local stack can inject into the AWS services it fakes and into its functions, for the load
and fault tests: what Amazon answers when it throttles or breaks, on the same calls the handlers make.

    POST /local/faults {"ses": {"times": 8}}                  SES throttles the next 8 sends
                       {"sns": {"times": 4}}                  SNS fails the next 4 publishes (500)
                       {"comprehend": {"times": 5}}           Comprehend throttles the next 5 calls
                       {"lambda": {"function": "RouteFunction", "times": 2}}
                                                              that function raises on its next 2 runs
    DELETE /local/faults                                      every fault cleared
(The Graph API's faults, {"graph": ...}, live in the Graph stand-in.) A fault is spent by each call it
fails, so a burst ends by itself: recovery is what happens next.
"""

from __future__ import annotations

import functools
import importlib
import threading
from dataclasses import dataclass
from typing import Any

from moto.core.exceptions import ServiceException


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
}  # fmt: skip


class InjectedServiceError(ServiceException):
    """Serialized by moto as the service's own error response, with the code we give it."""


class InjectedFault(RuntimeError):
    """What a function raises when the local stack is told to make it fail."""


class Faults:
    def __init__(self, functions: set[str]) -> None:
        self._functions = functions
        self._lock = threading.Lock()
        self._left: dict[str, int] = {}
        self._installed = False

    # ------------------------------------------------------------------------------------- arming
    def arm(self, armed: dict[str, int]) -> None:
        """Arms what `validate` returned."""
        self.install()
        with self._lock:
            self._left.update(armed)

    def validate(self, spec: dict[str, Any]) -> dict[str, int]:
        """{target: times} for a whole spec, or ValueError naming what is wrong (nothing armed yet)."""
        armed: dict[str, int] = {}
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
                armed[f"lambda:{function}"] = times
            elif target in AWS_FAULTS:
                armed[target] = times
            else:
                raise ValueError(f"unknown fault target '{target}' (graph, {', '.join(AWS_FAULTS)}, lambda)")
        return armed

    def clear(self) -> None:
        with self._lock:
            self._left.clear()

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
