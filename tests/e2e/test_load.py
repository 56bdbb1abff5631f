"""Load with faults, on the local stack: 300 webhook messages from 60 customers (`LOAD_CUSTOMERS=200
make load`: 1,000 from 200), 8 senders in parallel, each customer's messages in order, while SES throttles,
SNS fails, Comprehend throttles the whole run, the notify function raises mid-escalation, and the Graph API
is down for a while in the middle.

Nothing is lost: every message is stored once; every customer who asked for a person or complained has
exactly one ticket, for that reason, which their later messages joined; each conversation was handled in
the order it was written (the bot answered nothing after the message that escalated); no agent ever holds
more than their capacity. Failures are visible (the bot answers Meta refused past their retries are marked
failed, with the reason, and listed for a person) and the system recovers when Meta is back.
"""

from __future__ import annotations

import os
from collections import Counter

import requests

from liveagent import conversations
from liveagent.ids import now_iso
from tests.conftest import Client, eventually, whatsapp_text
from tests.e2e.traffic import Crowd

CUSTOMERS = int(os.environ.get("LOAD_CUSTOMERS", "60"))
PER_CUSTOMER = 5
ASKING = set(range(0, CUSTOMERS, 10)) | set(range(3, CUSTOMERS, 10)) | set(range(7, CUSTOMERS, 10))  # 30%
COMPLAINING = set(range(5, CUSTOMERS, 10))  # 10%
QUESTIONS = ["how long does delivery take?", "which payment methods do you accept?", "when are you open?",
             "do you ship internationally?", "thanks!"]  # fmt: skip
COMPLAINT = "your service is terrible, my order never arrived and nobody answers me"
FAULTS = {
    "ses": {"times": 60},  # Throttling: botocore retries each email, some fail outright
    "sns": {"times": 30},  # InternalError, retried as well
    "comprehend": {"times": 1000},  # every decision falls back to the local analyzer
    "lambda": {"function": "NotifyFunction", "times": 2},  # raises mid-escalation: the workflow retries
}
CROWD = Crowd("1559", CUSTOMERS, PER_CUSTOMER)


def _words(n: int, i: int) -> str:
    if i == 0 and n in ASKING:
        return "I want to talk to a human"
    if i == 0 and n in COMPLAINING:
        return COMPLAINT
    return QUESTIONS[i]


def test_a_thousand_messages_with_faults_everywhere_lose_nothing_and_keep_each_conversation_in_order(
    client: Client, function_env
) -> None:
    function_env("DetectFunction", SENTIMENT_PROVIDER="comprehend")  # as in AWS (the local stack is offline)
    client.arm(FAULTS)
    outage: dict[str, str] = {}

    def outage_midway(n: int, i: int) -> None:
        """Meta unavailable from the middle of the run until a bot answer has run out of retries and is
        in front of a person (the attention list), then back: an outage, not a blip the retries hide."""
        if n != CUSTOMERS // 2 or i != 0:
            return
        client.arm({"graph": {"status": 503, "times": 1000}})

        def failed_in_front_of_a_person() -> list | None:
            items = client.api("GET", "/api/deliveries/attention").json()["items"]
            return [i for i in items if i["delivery"] == "failed"] or None

        eventually(failed_in_front_of_a_person, timeout=120, interval=1.0)
        assert requests.delete(f"{client.base}/local/faults?target=graph", timeout=10).status_code == 200
        outage["to"] = now_iso()

    CROWD.send(client, _words, after=outage_midway)
    CROWD.assert_each_message_stored_once(client)
    CROWD.assert_in_order(client)

    # Every customer who asked for a person or complained has exactly one ticket, for that reason, and
    # their later messages joined it. (A question the demo KB cannot answer may open one for others.)
    everything = CROWD.settled_tickets(client, ASKING | COMPLAINING)
    reasons = {t["customer"]["id"]: t["reason"] for t in everything}
    assert {reasons[CROWD.customer(n)] for n in ASKING} == {"agent_requested"}
    assert {reasons[CROWD.customer(n)] for n in COMPLAINING} == {"complaint"}
    for ticket in [t for t in everything if t["customer"]["id"] in {CROWD.customer(n) for n in ASKING}][:10]:
        joined = client.api("GET", f"/api/tickets/{ticket['id']}").json()["messages"]
        assert [m["ticket_id"] for m in joined if m["from"] == "customer"] == [ticket["id"]] * PER_CUSTOMER

    # No agent over capacity, and every open ticket counted on its assignee.
    agents = client.api("GET", "/api/agents").json()["items"]
    assert all(a["open_tickets"] <= a["capacity"] for a in agents)
    assert sum(1 for t in everything if t["assignee"]) == sum(a["open_tickets"] for a in agents)
    # A ticket waits only while every online agent of its department is full (the queue drains).
    for waiting in [t for t in everything if not t["assignee"] and t["status"] != "closed"]:
        serving = [a for a in agents if waiting["department"] in a["departments"] and a["status"] == "online"]
        assert all(a["open_tickets"] == a["capacity"] for a in serving), (waiting["id"], serving)

    # The outage is visible and bounded: every answer Meta refused past its retries is marked failed with
    # Meta's reason and listed for a person; none was written after Meta came back; nothing stays pending.
    bot = [
        m for n in range(CUSTOMERS) for m in conversations.history(CROWD.conversation(n)) if m.sender == "bot"
    ]
    failed = [m for m in bot if m.delivery == "failed"]
    assert failed and all("503" in (m.delivery_error or "") for m in failed)
    assert all(m.at <= outage["to"] for m in failed), (outage, [m.at for m in failed])
    assert {m.delivery for m in bot} <= {"sent", "delivered", "read", "failed"}
    attention = client.api("GET", "/api/deliveries/attention").json()["items"]
    assert Counter(i["text"] for i in attention if i["delivery"] == "failed") == Counter(
        m.text for m in failed
    )

    # Recovered: with the outage over, the next customer's answer is delivered.
    client.webhook(
        whatsapp_text(QUESTIONS[0], customer=CROWD.customer(CUSTOMERS), message_id="wamid.load.after")
    )

    def answered_after() -> list | None:
        found = [
            m
            for m in conversations.history(CROWD.conversation(CUSTOMERS))
            if m.sender == "bot" and m.delivery not in (None, "pending")
        ]
        return found or None

    assert eventually(answered_after, timeout=30)[0].delivery == "sent"
