"""Identifiers and timestamps: ULIDs (python-ulid; time-ordered, so tickets sort newest-first by key) and
ISO UTC."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from ulid import ULID


def new_ulid(at_ms: int | None = None) -> str:
    """26-character ULID: 48-bit millisecond timestamp + 80 random bits, Crockford base32."""
    return str(ULID() if at_ms is None else ULID.from_timestamp(at_ms / 1000))


def ulid_for(cause: str, at: datetime) -> str:
    """The ULID of what `cause` (e.g. an escalating message's key) gave rise to at `at`: the same cause
    always gives the same id, so a retried step finds what the first attempt made; still time-ordered."""
    milliseconds = int(at.timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(milliseconds + hashlib.sha256(cause.encode()).digest()[:10]))


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds and a Z, e.g. 2026-11-27T17:03:59.123Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return iso(utc_now())


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
