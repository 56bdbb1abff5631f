"""After a deploy: does this stack work end to end? (`make smoke STACK=name`, also run by `make test`
against the local stack, so it cannot rot.)

    python -m infra.smoke STACK [--region R] [--timeout 90]

In a throw-away tenant with a test channel (its messages run the whole pipeline but are not sent to Meta)
and a throw-away agent: the health route; Meta's GET handshake with the stack's verify token; a customer
message signed with the stack's app secret through the webhook; the agent signing in to Cognito and seeing
the escalated ticket, assigned to them, through the API; closing it. Everything it created is removed
afterwards, whatever happened. Prints one line per step; exits 1 at the first step that fails.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import secrets
import sys
import time
from collections.abc import Callable
from typing import Any

import requests

from infra.target import Target, resolve


class SmokeFailed(RuntimeError):
    pass


class Smoke:
    def __init__(self, target: Target, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        self.api = target.outputs["ApiUrl"].rstrip("/")
        run = secrets.token_hex(4)
        self.tenant = f"smoke-{run}"
        self.account = "9" + "".join(secrets.choice("0123456789") for _ in range(14))
        self.customer = "1555" + "".join(secrets.choice("0123456789") for _ in range(7))
        self.email = f"smoke-{run}@smoke.invalid"
        self.password = f"Sm0ke-{secrets.token_urlsafe(12)}"
        self.meta = json.loads(
            target.client("secretsmanager").get_secret_value(SecretId=target.outputs["MetaSecretName"])[
                "SecretString"
            ]
        )
        self.token: str | None = None
        self.ticket: dict | None = None

    # ------------------------------------------------------------------------------ steps
    def health(self) -> str:
        answer = requests.get(f"{self.api}/health", timeout=30)
        self._expect(answer.status_code == 200 and answer.json() == {"status": "ok"}, "GET /health", answer)
        return "200 {status: ok}"

    def handshake(self) -> str:
        challenge = secrets.token_hex(8)
        params = {
            "hub.mode": "subscribe",
            "hub.verify_token": self.meta["verify_token"],
            "hub.challenge": challenge,
        }
        answer = requests.get(self.target.outputs["WebhookUrl"], params=params, timeout=30)
        self._expect(answer.status_code == 200 and answer.text == challenge, "Meta's GET handshake", answer)
        wrong = requests.get(
            self.target.outputs["WebhookUrl"], params={**params, "hub.verify_token": "x"}, timeout=30
        )
        self._expect(wrong.status_code == 403, "a wrong verify token is refused", wrong)
        return "challenge echoed; a wrong token gets 403"

    def set_up(self) -> str:
        from infra import admin

        admin.add_tenant(self.tenant, "Smoke test (removed afterwards)")
        admin.add_channel(self.target, self.tenant, "whatsapp", self.account, None, test_mode=True)
        spec = admin.UserSpec(email=self.email, tenant=self.tenant, permission="agent", name="Smoke Agent",
                              departments=["support"], password=self.password, notify_email=False,
                              status="online", capacity=1)  # fmt: skip
        admin.add_user(self.target, spec)
        return f"tenant {self.tenant}, test channel {self.account}, agent {self.email}"

    def webhook(self) -> str:
        body = json.dumps(
            _whatsapp_message(self.account, self.customer, "I want to talk to a human")
        ).encode()
        signature = "sha256=" + hmac.new(self.meta["app_secret"].encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        answer = requests.post(self.target.outputs["WebhookUrl"], data=body, headers=headers, timeout=30)
        self._expect(answer.status_code == 200, "the signed test message", answer)
        unsigned = requests.post(self.target.outputs["WebhookUrl"], data=body, timeout=30)
        self._expect(unsigned.status_code == 401, "an unsigned message is refused", unsigned)
        return "200 for the signed message, 401 without a signature"

    def sign_in(self) -> str:
        result = self.target.client("cognito-idp").initiate_auth(
            ClientId=self.target.outputs["UserPoolClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": self.email, "PASSWORD": self.password},
        )
        self.token = result["AuthenticationResult"]["IdToken"]
        me = self._api("GET", "/api/me")
        self._expect(me.status_code == 200 and me.json()["email"] == self.email, "GET /api/me", me)
        return "IdToken from Cognito; /api/me knows the agent"

    def ticket_seen(self) -> str:
        me = self._api("GET", "/api/me").json()["id"]
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            items = self._api("GET", "/api/tickets").json().get("items", [])
            mine = [t for t in items if t["customer"]["id"] == self.customer and t["assignee"] == me]
            if mine:
                self.ticket = mine[0]
                break
            time.sleep(1)
        if self.ticket is None:
            raise SmokeFailed(f"no ticket assigned to the agent within {self.timeout:.0f} s")
        detail = self._api("GET", f"/api/tickets/{self.ticket['id']}").json()
        acknowledged = any(m["from"] == "bot" for m in detail["messages"])
        self._expect(self.ticket["reason"] == "agent_requested", "the ticket's reason", detail)
        return f"ticket {self.ticket['id']} (agent_requested) assigned to the agent" + (
            ", customer acknowledged" if acknowledged else ""
        )

    def close(self) -> str:
        closed = self._api("POST", f"/api/tickets/{self.ticket['id']}/close")
        self._expect(
            closed.status_code == 200 and closed.json()["status"] == "closed", "closing the ticket", closed
        )
        return "closed"

    def clean_up(self) -> str:
        """Everything the run created, in any state it was left in."""
        from infra import admin
        from liveagent.agents import AgentModel
        from liveagent.analytics import DailyStatsModel
        from liveagent.conversations import MessageModel, conversation_id_for
        from liveagent.notifications import NotificationModel
        from liveagent.tenants import TenantModel
        from liveagent.tickets import TicketModel

        removed = []
        if self.ticket:
            self._api("POST", f"/api/tickets/{self.ticket['id']}/close")  # ends its workflow if still open
        for ticket in TicketModel.query(self.tenant):
            ticket.delete()
            removed.append("ticket")
        for message in MessageModel.query(
            conversation_id_for(self.tenant, "whatsapp", self.account, self.customer)
        ):
            message.delete()
        for row in DailyStatsModel.scan(DailyStatsModel.tenant_id.startswith(f"{self.tenant}#")):
            row.delete()
        for agent in AgentModel.query(self.tenant):
            for note in NotificationModel.query(f"{self.tenant}#{agent.agent_id}"):
                note.delete()
        with contextlib.suppress(admin.Refused):  # never created
            admin.remove_user(self.target, self.email)
        admin.remove_channel("whatsapp", self.account)
        TenantModel(self.tenant).delete()
        return f"tenant, channel, agent, conversation and {len(removed)} ticket(s) removed"

    # ------------------------------------------------------------------------------ helpers
    def _api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return requests.request(method, f"{self.api}{path}", headers=headers, timeout=30, **kwargs)

    @staticmethod
    def _expect(ok: bool, what: str, answer: Any) -> None:
        if not ok:
            shown = f"{answer.status_code} {answer.text[:300]}" if hasattr(answer, "status_code") else answer
            raise SmokeFailed(f"{what}: unexpected answer {shown}")


def _whatsapp_message(account: str, customer: str, text: str) -> dict:
    message = {
        "from": customer,
        "id": f"wamid.SMOKE{secrets.token_hex(8)}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": account, "phone_number_id": account},
        "contacts": [{"profile": {"name": "Smoke Customer"}, "wa_id": customer}],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "SMOKE", "changes": [{"field": "messages", "value": value}]}],
    }


def run(target: Target, timeout: float, say: Callable[[str], None] = print) -> bool:
    smoke = Smoke(target, timeout)
    steps = [
        ("health", smoke.health),
        ("Meta handshake", smoke.handshake),
        ("set up", smoke.set_up),
        ("signed message", smoke.webhook),
        ("sign in", smoke.sign_in),
        ("ticket seen", smoke.ticket_seen),
        ("close", smoke.close),
    ]
    ok = True
    try:
        for name, step in steps:
            started = time.monotonic()
            try:
                detail = step()
            except Exception as exc:
                say(f"FAIL {name}: {exc}")
                ok = False
                break
            say(f"ok   {name} ({time.monotonic() - started:.1f} s): {detail}")
    finally:
        try:
            say(f"ok   clean up: {smoke.clean_up()}")
        except Exception as exc:
            say(f"FAIL clean up: {exc} (remove tenant {smoke.tenant} and user {smoke.email} by hand)")
            ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.smoke", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("stack", help="stack name, or the local stack's URL")
    parser.add_argument("--region")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for the ticket")
    args = parser.parse_args(argv)
    target = resolve(args.stack, args.region)
    target.activate()
    ok = run(target, args.timeout)
    print("smoke test passed" if ok else "smoke test FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
