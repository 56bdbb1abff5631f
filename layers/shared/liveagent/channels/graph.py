"""Sends to customers through Meta's Graph API (requests).

Retries only what can succeed later and cannot deliver twice: a connection that was never made, 5xx,
HTTP 429 and Meta's rate-limit codes, with exponential backoff and full jitter, bounded by tries and by
what is left of the function's Timeout (liveagent.runtime). A failure once the request may have gone out
(a read timeout, the connection dropped before or while the answer came) is not retried: Meta may have the
message already, so it is reported as DeliveryUnknown and reconciled from Meta's status reports instead.
Errors that cannot succeed (131026 undeliverable, 131047 outside the window, bad parameters) fail at once.
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import requests
import urllib3
from aws_lambda_powertools.utilities import parameters

from liveagent import config, runtime
from liveagent.channels import instagram, whatsapp
from liveagent.channels.accounts import ChannelModel
from liveagent.errors import ChannelError, DeliveryUnknown, WindowClosed
from liveagent.ids import new_ulid
from liveagent.observability import logger, metrics, tracer

tracer.patch(["requests"])  # Graph API calls appear in X-Ray, in the functions that make them

CONNECT_TIMEOUT = 3.05
MIN_ATTEMPT_SECONDS = 2.0  # not worth starting an attempt with less time than this left
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 130429, 131048, 131056})
WINDOW_CODES = frozenset({131047})  # re-engagement: outside the 24-hour window
BASE_DELAY_SECONDS = 0.25
MESSAGES_PER_SECOND = 80.0  # WhatsApp Cloud API default throughput per business number


@dataclass
class TokenBucket:
    """Per-sender throughput limit for this process (one warm Lambda / the local stack)."""

    rate: float
    capacity: float
    _tokens: float = field(init=False)
    _updated: float = field(default_factory=time.monotonic, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self._tokens = self.capacity

    def take(self) -> float:
        """Take one token, sleeping until one is free; returns the seconds waited."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait:
            time.sleep(wait)
        return wait


_buckets: dict[str, TokenBucket] = {}
_buckets_lock = threading.Lock()


def bucket_for(account_id: str) -> TokenBucket:
    with _buckets_lock:
        if account_id not in _buckets:
            _buckets[account_id] = TokenBucket(rate=MESSAGES_PER_SECOND, capacity=MESSAGES_PER_SECOND)
        return _buckets[account_id]


@cache
def _session() -> requests.Session:
    return requests.Session()


def _token(channel: ChannelModel) -> str:
    return parameters.get_secret(channel.token_secret, max_age=300)


def describe_error(status: int, body: dict[str, Any]) -> tuple[int | None, str]:
    """(Meta error code, readable message) from Meta's error body."""
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = error.get("code")
    details = (
        (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else None
    )
    text = error.get("message") or f"HTTP {status}"
    if details and details not in text:
        text = f"{text}: {details}"
    return code, f"Graph API error {status}" + (f" (code {code})" if code else "") + f": {text}"


def retryable(status: int, code: int | None) -> bool:
    return status >= 500 or status == 429 or code in RATE_LIMIT_CODES


def read_timeout() -> float:
    return float(os.environ.get("GRAPH_READ_TIMEOUT_SECONDS", "10"))


def never_sent(exc: requests.RequestException) -> bool:
    """Whether a failed POST provably never reached Meta: no connection was made (refused, unresolved,
    timed out connecting) or TLS never agreed. Anything later (a read timeout; the connection dropped
    before or while the answer came, which requests also calls ConnectionError) may follow a delivery."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if not isinstance(exc, requests.ConnectionError) or isinstance(exc, requests.Timeout):
        return False
    cause = exc.args[0] if exc.args else None
    cause = getattr(cause, "reason", cause)  # urllib3's MaxRetryError wraps what happened
    return isinstance(cause, urllib3.exceptions.NewConnectionError)


def send(channel: ChannelModel, request: dict[str, Any], *, attempts: int | None = None) -> str:
    """POST one message; returns Meta's message id (wamid / mid) or raises ChannelError (refused or
    unreachable), WindowClosed, or DeliveryUnknown (sent, but Meta's answer never came)."""
    if channel.test_mode:
        logger.info("test channel: not sent to Meta", extra={"account": channel.account_id})
        return f"test.{new_ulid()}"
    url = f"{config.graph_api_base()}/{channel.account_id}/messages"
    tries = attempts or config.graph_max_retries() + 1
    last: ChannelError | None = None
    for attempt in range(tries):
        if attempt:
            delay = random.uniform(0, BASE_DELAY_SECONDS * 2**attempt)  # noqa: S311 - jitter, not crypto
            if runtime.seconds_left() - delay < MIN_ATTEMPT_SECONDS:
                break
            time.sleep(delay)
        left = runtime.seconds_left()
        if left < MIN_ATTEMPT_SECONDS:
            last = last or ChannelError("no time left in this invocation for the Graph API", retryable=True)
            break
        bucket_for(channel.account_id).take()
        timeout = (min(CONNECT_TIMEOUT, left), min(read_timeout(), max(0.5, left - CONNECT_TIMEOUT)))
        try:
            response = _session().post(
                url, json=request, headers={"Authorization": f"Bearer {_token(channel)}"}, timeout=timeout
            )
        except requests.RequestException as exc:
            if not never_sent(exc):
                metrics.add_metric(name="GraphSendUnknown", unit="Count", value=1)
                raise DeliveryUnknown(
                    f"the Graph API did not answer ({exc.__class__.__name__}); Meta may have the message"
                ) from exc
            last = ChannelError(f"Graph API unreachable: {exc.__class__.__name__}", retryable=True)
            continue
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.ok:
            parser = whatsapp if channel.channel == "whatsapp" else instagram
            return parser.sent_message_id(body) or ""
        code, message = describe_error(response.status_code, body)
        logger.warning(
            "Graph API refused a message", extra={"http_status": response.status_code, "meta_code": code}
        )
        if code in WINDOW_CODES:
            raise WindowClosed(
                f"{message}. The customer-service window is closed: send an approved template."
            )
        last = ChannelError(
            message,
            http_status=response.status_code,
            meta_code=code,
            retryable=retryable(response.status_code, code),
        )
        if not last.retryable:
            break
    metrics.add_metric(name="GraphSendFailed", unit="Count", value=1)
    raise last or ChannelError("Graph API failed")
