"""PynamoDB wiring shared by every table model.

PynamoDB gives each model class its own botocore session (one per thread, since botocore sessions are not
thread-safe), and every new session loads the DynamoDB service model and the endpoint rules from disk
again: ~50 ms per model on a cold Lambda container, and the largest CPU cost of the local stack. One
session per thread, shared by every model, loads them once.
"""

from __future__ import annotations

import threading
from functools import cache

import botocore.session
from pynamodb.connection import Connection
from pynamodb.connection import base as _pynamodb_connection

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
