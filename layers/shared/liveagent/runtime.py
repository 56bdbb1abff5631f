"""The current Lambda invocation's time budget: what is left of its function's Timeout.

Work with an outside service (the Graph API) must end before the function does: a sandbox stopped
mid-call leaves a message whose fate nobody knows. Handlers call `start(context)`; the Graph client asks
`seconds_left()` before each attempt."""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

# Writes after the last outside call (marking the message sent) need this much of the budget.
RESERVE_SECONDS = 2.0
_deadline: ContextVar[float | None] = ContextVar("invocation_deadline", default=None)


def start(context: Any) -> None:
    """At the start of every invocation (a warm sandbox keeps module state between them)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    _deadline.set(time.monotonic() + remaining() / 1000 if remaining else None)


def seconds_left(default: float = 60.0) -> float:
    """Seconds this invocation may still spend outside, its reserve kept; `default` outside Lambda."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return deadline - time.monotonic() - RESERVE_SECONDS
