"""Test set-up: the environment Lambda would give the handlers (from template.yaml), pointed at a local
stack on free ports. Set before any test module imports liveagent (its models read table names)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from infra.local.stack import LocalStack, configure_environment, free_port

API_PORT, AWS_PORT = free_port(), free_port()
configure_environment(API_PORT, AWS_PORT)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "meta"  # copied from shared/ (pywa, MIT)
APP_SECRET = "local-app-secret"
DEMO_WA = "100000000000001"
DEMO_IG = "17841400000000001"
ACME_WA = "100000000000002"


def eventually(check: Callable[[], Any], timeout: float = 5.0, interval: float = 0.05) -> Any:
    """Poll until check() returns something truthy; fail with the last value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")


class Client:
    """What a user or Meta sees: HTTP against the local gateway."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.base = stack.api_url
        self._tokens: dict[str, str] = {}

    def token(self, email: str, password: str = "Demo-pass-1") -> str:
        if email not in self._tokens:
            cognito = boto3.client("cognito-idp", endpoint_url=self.stack.aws_url)
            result = cognito.initiate_auth(
                ClientId=self.stack.provisioned.user_pool_client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
            self._tokens[email] = result["AuthenticationResult"]["IdToken"]
        return self._tokens[email]

    def api(
        self, method: str, path: str, as_user: str | None = "admin@demo.test", **kwargs: Any
    ) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if as_user:
            headers["Authorization"] = f"Bearer {self.token(as_user)}"
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kwargs)

    def webhook(
        self,
        payload: dict | bytes,
        secret: str = APP_SECRET,
        signature: str | None = None,
        timeout: float = 10,
    ) -> requests.Response:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        header = (
            signature
            if signature is not None
            else "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        )
        return requests.post(
            f"{self.base}/webhook",
            data=raw,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": header},
            timeout=timeout,
        )

    def arm(self, spec: dict) -> None:
        """POST /local/faults (infra/local/faults.py): the faults are armed, or the test fails saying why."""
        response = requests.post(f"{self.base}/local/faults", json=spec, timeout=10)
        assert response.status_code == 200, response.text

    def outbox(self) -> dict:
        return requests.get(f"{self.base}/local/outbox", timeout=10).json()

    def tickets(self, as_user: str = "admin@demo.test", **params: str) -> list[dict]:
        response = self.api("GET", "/api/tickets", as_user=as_user, params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def agent_id(self, email: str) -> str:
        return self.stack.users[email]


def whatsapp_text(text: str, *, customer: str = "15551234567", message_id: str | None = None,
                  account: str = DEMO_WA, name: str = "Maria", at: int | None = None) -> dict:  # fmt: skip
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA-1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550000001", "phone_number_id": account},
                            "contacts": [{"profile": {"name": name}, "wa_id": customer}],
                            "messages": [
                                {
                                    "from": customer,
                                    "id": message_id or f"wamid.{time.time_ns()}",
                                    "timestamp": str(at or int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def instagram_text(text: str, *, sender: str = "IGSID-9001", mid: str | None = None,
                   account: str = DEMO_IG, echo: bool = False) -> dict:  # fmt: skip
    message: dict[str, Any] = {"mid": mid or f"m_{time.time_ns()}", "text": text}
    if echo:
        message["is_echo"] = True
    return {
        "object": "instagram",
        "entry": [
            {
                "id": account,
                "time": int(time.time() * 1000),
                "messaging": [
                    {
                        "sender": {"id": account if echo else sender},
                        "recipient": {"id": sender if echo else account},
                        "timestamp": int(time.time() * 1000),
                        "message": message,
                    }
                ],
            }
        ],
    }


@pytest.fixture(autouse=True)
def no_access_denied() -> Iterator[None]:
    """Every test fails when a function or workflow called AWS outside its own policy from template.yaml,
    even where the code caught the error and went on (a notification marked failed, a count skipped).
    A test that provokes a denial on purpose removes it from `ENFORCEMENT.denials`."""
    from infra.local import sandbox

    before = len(sandbox.ENFORCEMENT.denials)
    yield
    denied = sandbox.ENFORCEMENT.denials[before:]
    if denied and not sandbox.ENFORCEMENT.audit_only:
        pytest.fail(f"AWS refused calls outside the callers' policies (template.yaml): {denied}")


@pytest.fixture(scope="session")
def stack() -> LocalStack:
    local = LocalStack(api_port=API_PORT, aws_port=AWS_PORT).start()
    yield local
    local.stop()


@pytest.fixture
def client(stack: LocalStack) -> Client:
    """A freshly seeded local stack for each test that talks to it."""
    stack.reset()
    return Client(stack)


@pytest.fixture
def function_env(client: Client) -> Iterator[Callable[..., None]]:
    """Change a function's environment for this test (as a configuration update would in AWS):
    `function_env("DetectFunction", SENTIMENT_PROVIDER="comprehend")`."""
    with contextlib.ExitStack() as changes:
        yield lambda name, **values: changes.enter_context(client.stack.function_environment(name, **values))


def pytest_sessionfinish(session, exitstatus) -> None:
    """LOCAL_IAM=audit LOCAL_IAM_REPORT=path: every call a policy refused, written as JSON (each test
    worker writes `path.<worker>`; the run that started them merges those into `path`)."""
    import glob as _glob
    import json as _json
    import os as _os

    from infra.local import sandbox

    target = _os.environ.get("LOCAL_IAM_REPORT")
    if not target:
        return
    worker = _os.environ.get("PYTEST_XDIST_WORKER")
    unique = {tuple(sorted(d.items())) for d in sandbox.ENFORCEMENT.denials}
    if not worker:
        for part in sorted(_glob.glob(f"{target}.gw*")):
            with open(part) as handle:
                unique |= {tuple(sorted(d.items())) for d in _json.load(handle)}
            _os.remove(part)
    with open(f"{target}.{worker}" if worker else target, "w") as handle:
        _json.dump([dict(d) for d in sorted(unique)], handle, indent=1, default=str)


def pytest_terminal_summary(terminalreporter) -> None:
    """How much fuzzing ran (tests/api/test_openapi_fuzz.py), from each report's properties: the count
    holds when the tests run in worker processes (this conftest is the one the main process loads)."""
    calls = [
        value
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "call") == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "fuzz_request"
    ]
    if calls:
        terminalreporter.write_line(f"schemathesis: {len(calls)} requests over {len(set(calls))} operations")
