"""A local stand-in for Meta's Graph API: records what would be sent and answers like Meta does."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime
from typing import Any


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class GraphStandIn:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[dict[str, Any]] = []
        self._faults: list[dict[str, Any]] = []

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self._faults.clear()

    def set_faults(self, spec: Any) -> int:
        """{"graph": {"status": 503, "times": 2}}, {"graph": {"error_code": 131047, "times": 1}}, or
        {"graph": {"delay_seconds": 3}}: Meta takes the message, then answers 3 s late."""
        graph = spec.get("graph") if isinstance(spec, dict) else None
        if not isinstance(graph, dict):
            raise ValueError(
                'expected {"graph": {"status": <http status>|"error_code": <meta code>|"delay_seconds": s, '
                '"times": n}}'
            )
        times = graph.get("times", 1)
        status, code, delay = graph.get("status"), graph.get("error_code"), graph.get("delay_seconds")
        if not isinstance(times, int) or times < 1 or times > 1000:
            raise ValueError("times must be an integer from 1 to 1000")
        if sum(v is not None for v in (status, code, delay)) != 1:
            raise ValueError("give exactly one of status, error_code and delay_seconds")
        if delay is not None:
            if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 < delay <= 60:
                raise ValueError("delay_seconds must be a number from 0 to 60")
            with self._lock:
                self._faults = [
                    {"status": None, "error_code": None, "delay": float(delay)} for _ in range(times)
                ]
            return times
        if status is not None and (not isinstance(status, int) or not 400 <= status <= 599):
            raise ValueError("status must be an HTTP error status (400-599)")
        if code is not None and not isinstance(code, int):
            raise ValueError("error_code must be an integer Meta error code")
        with self._lock:
            self._faults = [{"status": status, "error_code": code, "delay": None} for _ in range(times)]
        return times

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _next_fault(self) -> dict[str, Any] | None:
        with self._lock:
            return self._faults.pop(0) if self._faults else None

    def send(self, account_id: str, request: dict[str, Any], authorization: str | None) -> tuple[int, dict]:
        fault = self._next_fault()
        if fault and fault["delay"]:
            answer = self._answer(account_id, request, authorization)  # Meta has it ...
            time.sleep(fault["delay"])  # ... and its answer is late
            return answer
        if fault and fault["status"]:
            return fault["status"], _error(
                fault["status"], "Service temporarily unavailable", 2, "OAuthException"
            )
        if fault:
            return 400, _error(
                400, f"(#{fault['error_code']}) Simulated Meta error", fault["error_code"], "OAuthException"
            )
        return self._answer(account_id, request, authorization)

    def _answer(
        self, account_id: str, request: dict[str, Any], authorization: str | None
    ) -> tuple[int, dict]:
        if not authorization or not authorization.startswith("Bearer "):
            return 401, _error(
                401, "An access token is required to request this resource.", 104, "OAuthException"
            )
        if "messaging_product" in request:
            return self._whatsapp(account_id, request)
        return self._instagram(account_id, request)

    def _record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.messages.append(entry)

    def _whatsapp(self, account_id: str, request: dict[str, Any]) -> tuple[int, dict]:
        to, kind = request.get("to"), request.get("type")
        if not to or kind not in ("text", "template", "interactive"):
            return 400, _error(400, "(#100) Invalid parameter", 100, "OAuthException")
        message_id = "wamid.LOCAL" + secrets.token_hex(12).upper()
        text = (request.get("text") or {}).get("body") if kind == "text" else None
        if kind == "template":
            text = f"[template] {request['template'].get('name')}"
        self._record({"channel": "whatsapp", "from": account_id, "to": to, "type": kind, "text": text,
                      "request": request, "id": message_id, "at": _now()})  # fmt: skip
        return 200, {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                     "messages": [{"id": message_id}]}  # fmt: skip

    def _instagram(self, account_id: str, request: dict[str, Any]) -> tuple[int, dict]:
        to = (request.get("recipient") or {}).get("id")
        message = request.get("message") or {}
        if not to or not message:
            return 400, _error(400, "(#100) Invalid parameter", 100, "OAuthException")
        message_id = "m_LOCAL" + secrets.token_hex(16)
        entry = {
            "channel": "instagram",
            "from": account_id,
            "to": to,
            "type": "text",
            "text": message.get("text"),
        }
        self._record({**entry, "request": request, "id": message_id, "at": _now()})
        return 200, {"recipient_id": to, "message_id": message_id}


def _error(status: int, message: str, code: int, kind: str) -> dict:
    return {
        "error": {
            "message": message,
            "type": kind,
            "code": code,
            "fbtrace_id": "LOCAL" + secrets.token_hex(6),
        }
    }
