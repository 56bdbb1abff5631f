"""Traffic for the load tests: many customers writing at once through the signed webhook, and what must
hold afterwards whatever failed on the way (each message stored once; one settled ticket per customer)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from liveagent import conversations
from tests.conftest import DEMO_WA, Client, eventually, whatsapp_text
from tests.e2e.workflows import inbound_drained


@dataclass(frozen=True)
class Crowd:
    """`customers` WhatsApp customers (numbers `<prefix><n>`), each sending `per_customer` messages."""

    prefix: str
    customers: int
    per_customer: int

    def customer(self, n: int) -> str:
        return f"{self.prefix}{n:07d}"

    def conversation(self, n: int) -> str:
        return conversations.conversation_id_for("demo", "whatsapp", DEMO_WA, self.customer(n))

    def send(
        self,
        client: Client,
        words: Callable[[int, int], str],
        after: Callable[[int, int], None] | None = None,
    ) -> None:
        """8 senders in parallel, each customer's messages in order (`words(n, i)`: customer n's i-th
        message; `after(n, i)` runs once it is sent). Meta must get a 200 for every delivery."""

        def send_all(n: int) -> list[tuple[int, str]]:
            codes = []
            for i in range(self.per_customer):
                message = whatsapp_text(words(n, i), customer=self.customer(n),
                                        message_id=f"wamid.{self.prefix}.{n}.{i}", name=f"Load {n}")  # fmt: skip
                response = client.webhook(message, timeout=120)
                codes.append((response.status_code, "" if response.ok else response.text[:200]))
                if after:
                    after(n, i)
            return codes

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = [code for batch in pool.map(send_all, range(self.customers)) for code in batch]
        refused = Counter(code for code in codes if code[0] != 200)
        # A refusal says which function failed and how (e.g. Sandbox.Timedout), not only its status.
        lambdas = client.stack.lambdas
        failures = [m for m in lambdas.error_messages if m.startswith("WebhookFunction:")]
        assert len(codes) == self.customers * self.per_customer and not refused, (refused, failures)

    def assert_each_message_stored_once(self, client: Client) -> None:
        # every delivery consumed behind the webhook (the local stack works through ~4 messages a second)
        inbound_drained(client, timeout=120 + 0.6 * self.customers * self.per_customer)
        for n in range(self.customers):
            inbound = [m for m in conversations.history(self.conversation(n)) if m.sender == "customer"]
            assert len(inbound) == self.per_customer, (n, len(inbound))

    def settled_tickets(self, client: Client, wanted: set[int]) -> list[dict]:
        """Every ticket, once each of the `wanted` customers has one and every ticket is settled (assigned
        or queued); asserts nobody has two."""
        numbers = {self.customer(n) for n in wanted}

        def all_settled() -> list[dict] | None:
            found = client.tickets(include_closed="true", limit="200")
            settled = all(len(t["escalation"]["history"]) > 1 for t in found)
            return found if numbers <= {t["customer"]["id"] for t in found} and settled else None

        everything = eventually(all_settled, timeout=180, interval=1.0)
        assert max(Counter(t["customer"]["id"] for t in everything).values()) == 1
        return everything

    def assert_in_order(self, client: Client) -> None:
        """Each conversation was handled in the order its customer wrote: from the first message that is
        on a ticket (the one that opened it), every later message joined that ticket and the bot answered
        none of them (the bot's answer to a message is stored as `out#answer:<its key>`)."""
        for n in range(self.customers):
            history = conversations.history(self.conversation(n))
            inbound = sorted(
                (m for m in history if m.sender == "customer"),
                key=lambda m: int(m.message_key.split(".")[-1]),
            )
            on_ticket = [i for i, m in enumerate(inbound) if m.ticket_id]
            if not on_ticket:
                continue
            first = on_ticket[0]
            assert {m.ticket_id for m in inbound[first:]} == {inbound[first].ticket_id}, (n, "did not join")
            answered = {m.message_key.removeprefix("out#answer:").rsplit("#", 1)[0] for m in history
                        if m.sender == "bot" and m.message_key.startswith("out#answer:")}  # fmt: skip
            later = {m.message_key for m in inbound[first + 1 :]}
            assert not answered & later, (
                n,
                "the bot answered after the escalation",
                sorted(answered & later),
            )
