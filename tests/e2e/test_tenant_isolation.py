"""Tenant isolation on every route that names a resource: another tenant's ids are 404, never data."""

from __future__ import annotations

import pytest

from tests.conftest import Client, eventually, whatsapp_text

ACME = "admin@acme.test"


@pytest.fixture
def demo_resources(client: Client) -> dict[str, str]:
    client.webhook(whatsapp_text("I want to talk to a human", customer="15550990001"))
    ticket = eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0]
    entry = client.api("POST", "/api/knowledge", json={"question": "Demo only?", "answer": "Yes."}).json()
    assert client.api("POST", "/api/notifications/test").status_code == 200  # gives the admin a notification
    note = client.api("GET", "/api/notifications").json()["items"]
    return {
        "ticket": ticket["id"],
        "kb": entry["id"],
        "agent": client.agent_id("alice@demo.test"),
        "note": note[0]["id"],
    }


ROUTES = [
    ("GET", "/api/tickets/{ticket}", None),
    ("POST", "/api/tickets/{ticket}/ack", None),
    ("POST", "/api/tickets/{ticket}/close", None),
    ("POST", "/api/tickets/{ticket}/reply", {"text": "hello from acme"}),
    ("POST", "/api/tickets/{ticket}/assign", {"agent_id": "{agent}"}),
    ("POST", "/api/tickets/{ticket}/knowledge", {"answer": "acme answer"}),
    ("PUT", "/api/knowledge/{kb}", {"question": "q", "answer": "a"}),
    ("DELETE", "/api/knowledge/{kb}", None),
    ("PUT", "/api/agents/{agent}", {"capacity": 1}),
    ("POST", "/api/notifications/{note}/read", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_another_tenants_resource_is_404(
    client: Client, demo_resources: dict, method: str, path: str, body
) -> None:
    url = path.format(**demo_resources)
    payload = {
        k: v.format(**demo_resources) if isinstance(v, str) else v for k, v in (body or {}).items()
    } or None
    response = client.api(method, url, as_user=ACME, json=payload)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"
    # ...and nothing changed for the owner.
    ticket = client.api("GET", f"/api/tickets/{demo_resources['ticket']}").json()
    assert ticket["status"] == "requested" and ticket["assignee"]
    assert any(e["id"] == demo_resources["kb"] for e in client.api("GET", "/api/knowledge").json()["items"])


def test_lists_and_summaries_only_show_the_callers_tenant(client: Client, demo_resources: dict) -> None:
    for path in ("/api/tickets", "/api/knowledge", "/api/agents", "/api/notifications", "/api/audit",
                 "/api/knowledge/unanswered"):  # fmt: skip
        body = client.api("GET", path, as_user=ACME).json()
        ids = {item.get("id") for item in body["items"]}
        assert not ids & set(demo_resources.values()), path
    assert client.api("GET", "/api/analytics/summary", as_user=ACME).json()["tickets"] == 0
