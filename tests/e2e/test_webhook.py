"""The webhook as Meta sees it (CONTRACT.md section 4)."""

from __future__ import annotations

import copy
import json

import boto3
import pytest
import requests

from tests.conftest import ACME_WA, DEMO_WA, FIXTURES, Client, eventually, instagram_text, whatsapp_text
from tests.e2e.workflows import inbound_drained


def _stored_messages(client: Client) -> list[dict]:
    table = boto3.resource("dynamodb", endpoint_url=client.stack.aws_url).Table("MessagesTable")
    return [i for i in table.scan()["Items"] if i["message_key"].startswith("in#")]


def _started(client: Client) -> int:
    """Workflow work that began: message workflows (their detect step) and escalation executions."""
    inbound_drained(client)  # whatever was queued has been consumed by now
    sfn = boto3.client("stepfunctions", endpoint_url=client.stack.aws_url)
    escalations = sum(
        len(sfn.list_executions(stateMachineArn=m["stateMachineArn"])["executions"])
        for m in sfn.list_state_machines()["stateMachines"]
        if m["name"].endswith("-escalation")
    )
    return escalations + sum(1 for name, _ in client.stack.lambdas.invocations if name == "DetectFunction")


def test_handshake_echoes_the_challenge_only_with_the_verify_token(client: Client) -> None:
    ok = requests.get(
        f"{client.base}/webhook",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": "local-verify-token",
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    assert ok.headers["Content-Type"].startswith("text/plain")
    bad = requests.get(
        f"{client.base}/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "x"},
    )
    assert bad.status_code == 403
    assert requests.get(f"{client.base}/webhook").status_code == 403


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha1=abc"])
def test_missing_or_wrong_signature_is_401_and_nothing_is_stored_or_started(
    client: Client, signature: str | None
) -> None:
    payload = whatsapp_text("I want to talk to a human")
    if signature is None:
        response = requests.post(f"{client.base}/webhook", json=payload)
    else:
        response = client.webhook(payload, signature=signature)
    assert response.status_code == 401
    assert client.webhook(payload, secret="another-app-secret").status_code == 401
    assert _stored_messages(client) == [] and _started(client) == 0


def test_signature_is_checked_over_the_exact_raw_bytes(client: Client) -> None:
    # Meta escapes non-ASCII as \\uXXXX; a body with raw UTF-8 must be verified as sent, not re-serialized.
    raw = json.dumps(
        whatsapp_text("Olá, quero falar com um atendente 😀", customer="5511999990000"), ensure_ascii=False
    ).encode()
    assert client.webhook(raw).status_code == 200
    assert eventually(lambda: [t for t in client.tickets() if t["customer"]["id"] == "5511999990000"])
    escaped = json.dumps(whatsapp_text("\u00bfhablar con un agente?", customer="34600000000")).encode()
    assert client.webhook(escaped).status_code == 200


def test_body_that_is_not_json_is_400(client: Client) -> None:
    assert client.webhook(b"this is not json").status_code == 400
    assert client.webhook(b"[1, 2, 3]").status_code == 400


def test_same_message_delivered_twice_has_the_effect_of_one(client: Client) -> None:
    payload = whatsapp_text("talk to an agent", customer="15553334444", message_id="wamid.DUPLICATE-1")
    assert client.webhook(payload).status_code == 200
    assert client.webhook(copy.deepcopy(payload)).status_code == 200
    eventually(lambda: [m for m in client.outbox()["messages"] if m["to"] == "15553334444"])
    inbound_drained(client)  # both deliveries consumed: a second workflow would have run by now
    assert len([m for m in client.outbox()["messages"] if m["to"] == "15553334444"]) == 1
    assert len(client.tickets()) == 1 and len(_stored_messages(client)) == 1


def test_unknown_tenant_status_updates_and_echoes_are_accepted_and_ignored(client: Client) -> None:
    assert client.webhook(whatsapp_text("hello?", account="999999999999999")).status_code == 200
    assert client.webhook(instagram_text("our own echo", echo=True)).status_code == 200
    assert client.webhook({"object": "page", "entry": []}).status_code == 200
    statuses = json.loads((FIXTURES / "whatsapp" / "message_status.json").read_text())
    for body in statuses.values():
        assert client.webhook(body).status_code == 200
    assert _stored_messages(client) == [] and _started(client) == 0


def test_every_peer_fixture_variant_is_accepted(client: Client) -> None:
    variants = 0
    for path in sorted((FIXTURES / "whatsapp").glob("*.json")):
        for name, body in json.loads(path.read_text()).items():
            body = json.loads(json.dumps(body).replace("1122334455667", DEMO_WA))
            response = client.webhook(body)
            assert response.status_code == 200, (
                f"{path.name}:{name} -> {response.status_code} {response.text}"
            )
            variants += 1
    assert variants >= 40


def test_tenants_are_resolved_by_business_account(client: Client) -> None:
    client.webhook(whatsapp_text("I need a human", customer="15556667777", account=ACME_WA))
    acme = eventually(lambda: client.tickets(as_user="admin@acme.test"))
    assert acme[0]["customer"]["id"] == "15556667777"
    assert client.tickets(as_user="admin@demo.test") == []
