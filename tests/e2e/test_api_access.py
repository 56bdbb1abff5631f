"""REST API access rules (CONTRACT.md section 5)."""

from __future__ import annotations

import requests

from tests.conftest import Client, eventually, whatsapp_text


def test_no_token_or_bad_token_is_401(client: Client) -> None:
    assert requests.get(f"{client.base}/api/tickets").status_code == 401
    bad = requests.get(f"{client.base}/api/tickets", headers={"Authorization": "Bearer not.a.token"})
    assert bad.status_code == 401


def test_me_says_who_is_calling(client: Client) -> None:
    me = client.api("GET", "/api/me", as_user="carol@demo.test").json()
    assert me == {"id": client.agent_id("carol@demo.test"), "email": "carol@demo.test", "tenant_id": "demo",
                  "permission": "agent", "status": "online"}  # fmt: skip


def test_agent_calling_an_admin_route_is_403(client: Client) -> None:
    response = client.api(
        "PUT", "/api/settings/escalation", as_user="alice@demo.test", json={"keywords": ["x"]}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert client.api("GET", "/api/agents", as_user="alice@demo.test").status_code == 403


def test_another_tenants_ticket_is_404(client: Client) -> None:
    client.webhook(whatsapp_text("talk to a human", customer="15559990000"))
    ticket = eventually(lambda: client.tickets())[0]
    for method, path in (("GET", ""), ("POST", "/ack"), ("POST", "/close")):
        response = client.api(method, f"/api/tickets/{ticket['id']}{path}", as_user="admin@acme.test")
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "not_found"
    reply = client.api(
        "POST", f"/api/tickets/{ticket['id']}/reply", as_user="admin@acme.test", json={"text": "hi"}
    )
    assert reply.status_code == 404


def test_bad_bodies_are_400_with_the_field_named(client: Client) -> None:
    response = client.api(
        "PUT",
        "/api/settings/escalation-policy",
        json={"levels": [{"target": "assignee", "timeout_seconds": 0}]},
    )
    assert response.status_code == 400 and "timeout_seconds" in response.json()["error"]["message"]
    response = client.api("POST", "/api/knowledge", data="{not json")
    assert response.status_code == 400
    client.webhook(whatsapp_text("talk to a human", customer="15559990001"))
    ticket = eventually(lambda: client.tickets())[0]
    response = client.api(
        "POST",
        f"/api/tickets/{ticket['id']}/reply",
        json={"text": "a", "template": {"name": "x", "language": "en"}},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"


def test_unknown_api_route_is_404_in_the_error_shape(client: Client) -> None:
    response = client.api("GET", "/api/nothing-here")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_wrong_method_is_405_with_allow(client: Client) -> None:
    response = client.api("DELETE", "/api/tickets")
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_admin_changes_are_in_the_audit_log_and_only_admins_read_it(client: Client) -> None:
    settings = client.api("GET", "/api/settings/escalation").json()
    assert (
        client.api(
            "PUT", "/api/settings/escalation", json={**settings, "keywords": ["refund", "lawyer"]}
        ).status_code
        == 200
    )
    created = client.api(
        "POST", "/api/knowledge", json={"question": "Do you have parking?", "answer": "Yes, free."}
    )
    assert client.api("DELETE", f"/api/knowledge/{created.json()['id']}").status_code == 200
    assert (
        client.api("PUT", f"/api/agents/{client.agent_id('bob@demo.test')}", json={"capacity": 3}).status_code
        == 200
    )
    log = client.api("GET", "/api/audit").json()["items"]
    assert [e["action"] for e in log] == [
        "agent.update",
        "knowledge.delete",
        "knowledge.create",
        "settings.update",
    ]
    assert all(e["actor"] == client.agent_id("admin@demo.test") and e["at"] for e in log)
    assert log[3]["target"] == "escalation" and log[3]["details"]["keywords"] == ["refund", "lawyer"]
    assert client.api("GET", "/api/audit", as_user="alice@demo.test").status_code == 403
    assert client.api("GET", "/api/audit", as_user="admin@acme.test").json()["items"] == []


def test_the_openapi_spec_is_served_and_lists_every_route(client: Client) -> None:
    spec = client.api("GET", "/api/openapi.json").json()
    assert spec["openapi"].startswith("3.1") and spec["components"]["securitySchemes"]["cognito"]
    assert "/api/tickets/{ticket_id}/reply" in spec["paths"] and "/api/settings/tickets" in spec["paths"]
    reply = spec["paths"]["/api/tickets/{ticket_id}/reply"]["post"]
    assert reply["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReplyIn")
    assert {"201", "400", "401", "403", "404", "409", "415", "502"} <= set(reply["responses"])


def test_a_body_that_is_not_json_is_refused_clearly(client: Client) -> None:
    as_text = client.api("POST", "/api/knowledge", data="question=hi", headers={"Content-Type": "text/plain"})
    assert as_text.status_code == 415 and as_text.json()["error"]["code"] == "unsupported_media_type"
    broken = client.api("POST", "/api/knowledge", data="{nope", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "bad_request"
    missing = client.api("POST", "/api/knowledge", json={"question": "hi"})
    assert missing.status_code == 400 and missing.json()["error"]["message"] == "answer: Field required"


def test_routing_that_nobody_could_serve_is_refused(client: Client) -> None:
    routing = client.api("GET", "/api/settings/routing").json()
    orphan = {
        **routing,
        "departments": [{"name": "night_shift", "keywords": []}],
        "default_department": "night_shift",
    }
    refused = client.api("PUT", "/api/settings/routing", json=orphan)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "unroutable"
    assert (
        client.api("GET", "/api/settings/routing").json()["default_department"]
        == routing["default_department"]
    )


def test_ticket_lifecycle_settings_are_versioned(client: Client) -> None:
    assert client.api("GET", "/api/settings/tickets").json() == {
        "auto_close_hours": 72,
        "retention_days": 365,
        "updated_at": None,
        "updated_by": None,
    }
    saved = client.api(
        "PUT", "/api/settings/tickets", json={"auto_close_hours": 24, "retention_days": 30}
    ).json()
    assert saved["auto_close_hours"] == 24 and saved["updated_by"] == client.agent_id("admin@demo.test")
    wrong = client.api("PUT", "/api/settings/tickets", json={"auto_close_hours": "24", "retention_days": 30})
    assert wrong.status_code == 400 and wrong.json()["error"]["message"].startswith("auto_close_hours:")
    agent = client.api("PUT", "/api/settings/tickets", as_user="alice@demo.test", json=saved)
    assert agent.status_code == 403


def test_concurrent_requests_each_get_their_own_answer(client: Client) -> None:
    # The dashboard fires several requests at once; each must be answered for its own caller and route.
    from concurrent.futures import ThreadPoolExecutor

    calls = [
        ("admin@demo.test", "/api/me"),
        ("alice@demo.test", "/api/me"),
        ("bob@demo.test", "/api/notifications"),
    ] * 6
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda call: client.api("GET", call[1], as_user=call[0]), calls))
    for (user, path), answer in zip(calls, answers, strict=True):
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["email"] == user if path == "/api/me" else "unread" in body


def test_a_settings_save_based_on_an_old_version_is_a_conflict_with_the_current_document(
    client: Client,
) -> None:
    # Two admins read the escalation rules; the first saves; the second's save (read before that) must not
    # silently undo it: 409 `conflict` carrying the document as it is now, and nothing written.
    read = client.api("GET", "/api/settings/escalation").json()
    first = client.api("PUT", "/api/settings/escalation", json={**read, "keywords": ["lawyer"]})
    assert first.status_code == 200, first.text
    stale = client.api("PUT", "/api/settings/escalation", json={**read, "keywords": ["chargeback"]})
    assert stale.status_code == 409, stale.text
    error = stale.json()["error"]
    assert error["code"] == "conflict" and "changed by someone else" in error["message"]
    assert error["current"]["keywords"] == ["lawyer"]
    assert error["current"]["updated_at"] == first.json()["updated_at"]
    assert client.api("GET", "/api/settings/escalation").json()["keywords"] == ["lawyer"]
    # Made again on top of the current version, it is saved.
    again = client.api(
        "PUT", "/api/settings/escalation", json={**error["current"], "keywords": ["chargeback"]}
    )
    assert again.status_code == 200 and again.json()["keywords"] == ["chargeback"]
