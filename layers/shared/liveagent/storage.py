"""PynamoDB wiring shared by every table model.

PynamoDB gives each model class its own botocore session (one per thread, since botocore sessions are not
thread-safe), and every new session loads the DynamoDB service model and the endpoint rules from disk
again: ~50 ms per model on a cold Lambda container, and the largest CPU cost of the local stack. One
session per thread, shared by every model, loads them once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import TypeVar

import botocore.session
from pynamodb.connection import Connection
from pynamodb.connection import base as _pynamodb_connection
from pynamodb.exceptions import PynamoDBException
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

from liveagent import config

_local = threading.local()


def thread_session() -> botocore.session.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = botocore.session.get_session()
    return session


# PynamoDB's Connection.session calls this module-level name once per (connection, thread).
_pynamodb_connection.get_session = thread_session


@cache
def transaction_connection() -> Connection:
    """For TransactWrite/TransactGet: one connection (and botocore client) per container, not per call."""
    return Connection(region=config.region())


def _code(reason: object) -> str | None:
    return getattr(reason, "code", None)


def cancelled_by_conflict(exc: BaseException) -> bool:
    """DynamoDB cancelled a transaction because another one held one of its items (TransactionConflict),
    which says nothing about the conditions: the transaction should simply run again."""
    if not isinstance(exc, PynamoDBException):
        return False
    if getattr(exc, "cause_response_code", None) == "TransactionConflictException":
        return True
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return any(_code(r) == "TransactionConflict" for r in reasons)


def failed_conditions(exc: BaseException) -> bool:
    """A transaction cancelled because a condition of ours did not hold (someone else got there)."""
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return any(_code(r) == "ConditionalCheckFailed" for r in reasons) and not cancelled_by_conflict(exc)


T = TypeVar("T")

# Real DynamoDB cancels concurrent transactions touching one item with TransactionConflict (moto never
# does; the local stack's `dynamodb` fault does): retried a few times with jittered backoff, then raised.
retry_on_conflict: Callable[[Callable[..., T]], Callable[..., T]] = retry(
    retry=retry_if_exception(cancelled_by_conflict),
    stop=stop_after_attempt(5),
    wait=wait_random_exponential(multiplier=0.02, max=0.5),
    reraise=True,
)
