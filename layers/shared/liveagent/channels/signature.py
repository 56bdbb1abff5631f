"""X-Hub-Signature-256 verification: HMAC-SHA256 over the raw request bytes Meta sent."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secrets: Iterable[str]) -> bool:
    """True when the header matches the body under any configured app secret.

    Compared as bytes in constant time; Meta signs the exact bytes it sends, so the body must never be
    re-serialized before checking.
    """
    if not header or not header.startswith("sha256="):
        return False
    given = header.strip().encode("ascii", errors="replace")
    return any(hmac.compare_digest(sign(body, s).encode(), given) for s in secrets if s)
