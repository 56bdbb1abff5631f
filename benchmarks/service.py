"""Service benchmarks on the local stack (same gateway, same handlers, same state machines as AWS on moto):

  webhook     signed WhatsApp webhooks through the gateway: req/s, p50/p99, against a minimal handler that
              only checks the signature, served by the same gateway and dispatcher in the same run
  escalation  webhook accepted -> assignee notified (email sent), N escalations with 10 in flight
  routing     the assignment decision (candidates + rank) with 500 agents in a department
  scaling     each of the above at 10x less and 10x more load / data: growth factors

Run: make bench (prints tables; the caller prints the combined JSON line).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "shared"), str(ROOT)]

from infra.local.stack import LocalStack, configure_environment, free_port  # noqa: E402

API_PORT, AWS_PORT = free_port(), free_port()
configure_environment(API_PORT, AWS_PORT)

SECRET = b"local-app-secret"
DEMO_WA = "100000000000001"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def whatsapp(text: str, customer: str, name: str, n: int) -> bytes:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000001", "phone_number_id": DEMO_WA},
            "contacts": [{"profile": {"name": name}, "wa_id": customer}],
            "messages": [{"from": customer, "id": f"wamid.bench{n}{time.time_ns()}",
                          "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}],
        }}]}],
    }  # fmt: skip
    return json.dumps(payload).encode()


def post(base: str, path: str, raw: bytes) -> float:
    signature = "sha256=" + hmac.new(SECRET, raw, hashlib.sha256).hexdigest()
    started = time.perf_counter()
    response = requests.post(
        f"{base}{path}", data=raw, timeout=60,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


def add_minimal_route(stack: LocalStack) -> None:
    """The yardstick behind the same gateway and dispatcher: POST /bench/minimal-webhook."""
    from infra.local.gateway import Route
    from infra.local.lambdas import FunctionSpec

    lambdas = stack.lambdas
    webhook = next(spec for spec in lambdas.specs.values() if spec.logical_id == "WebhookFunction")
    lambdas.specs["MinimalWebhook"] = FunctionSpec(  # the webhook's memory and role: only the code differs
        "MinimalWebhook", "MinimalWebhook", ROOT / "benchmarks", "minimal_webhook.lambda_handler",
        webhook.memory, 3, webhook.role,
    )  # fmt: skip
    lambdas._warm["MinimalWebhook"] = ThreadPoolExecutor(max_workers=1)  # as every function locally
    stack.gateway.routes.insert(
        0,
        Route(
            "POST", "/bench/minimal-webhook", "MinimalWebhook", False, re.compile("^/bench/minimal-webhook$")
        ),
    )


def webhook_latency(stack: LocalStack, count: int) -> dict:
    """Bot-answered messages (the common case), one at a time: the latency a Meta delivery sees."""
    base = stack.api_url
    texts = ["how long does delivery take?", "what payment methods do you accept?", "hi!", "thanks!"]
    real, minimal = [], []
    for n in range(count):  # interleaved, so both see the same machine state
        raw = whatsapp(texts[n % len(texts)], f"1555{n:07d}", f"Bench {n}", n)
        real.append(post(base, "/webhook", raw))
        minimal.append(post(base, "/bench/minimal-webhook", raw))
    return {
        "requests": count,
        "rps": round(count / sum(real), 1),
        "p50_ms": round(statistics.median(real) * 1000, 2),
        "p99_ms": round(_percentile(real, 0.99) * 1000, 2),
        "minimal_p50_ms": round(statistics.median(minimal) * 1000, 2),
        "minimal_p99_ms": round(_percentile(minimal, 0.99) * 1000, 2),
        "p50_ratio": round(statistics.median(real) / statistics.median(minimal), 2),
    }


def escalation_latency(stack: LocalStack, count: int, in_flight: int = 10) -> dict:
    """Webhook accepted -> the assignee's email sent, for `count` escalations with `in_flight` of them
    open at any time: each of `in_flight` customers sends the next request once the last was notified
    (a closed loop, so the figure is latency at that concurrency, not the length of a backlog)."""
    from moto.ses.models import ses_backends

    from liveagent.agents import AgentModel

    for agent in AgentModel.query("demo"):  # room for every ticket: measure notification, not queueing
        agent.update(actions=[AgentModel.capacity.set(max(count, 5))])
    ses = ses_backends["123456789012"]["us-east-1"]
    accepted: dict[str, float] = {}
    notified: dict[str, float] = {}
    arrived = {str(n): threading.Event() for n in range(count)}
    done = threading.Event()

    def watch() -> None:
        seen = 0
        while not done.is_set():
            messages = list(ses.sent_messages)
            for message in messages[seen:]:
                body = json.dumps(getattr(message, "body", "") or "") + str(getattr(message, "subject", ""))
                for name in re.findall(r"Esc (\d+)", body):
                    if name in arrived and name not in notified:
                        notified[name] = time.perf_counter()
                        arrived[name].set()
            seen = len(messages)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()

    def escalate(n: int) -> None:
        raw = whatsapp("I want to talk to a human", f"1556{n:07d}", f"Esc {n}", n)
        post(stack.api_url, "/webhook", raw)
        accepted[str(n)] = time.perf_counter()
        arrived[str(n)].wait(timeout=60)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        list(pool.map(escalate, range(count)))
    elapsed = time.perf_counter() - started
    done.set()
    waits = [notified[k] - accepted[k] for k in accepted if k in notified]
    return {
        "escalations": count,
        "notified": len(waits),
        "p50_s": round(statistics.median(waits), 3) if waits else None,
        "p99_s": round(_percentile(waits, 0.99), 3) if waits else None,
        "throughput_per_s": round(count / elapsed, 1),
    }


def routing_decision(agents: int, repeats: int = 200) -> float:
    """Median ms to pick the assignee among `agents` online agents of one department."""
    from liveagent.agents import AgentModel
    from liveagent.routing import candidates, rank

    team = [
        AgentModel("demo", f"agent-{i:05d}", status="online", departments=["support"], roles=["tier1"],
                   capacity=5, open_count=i % 5, last_assigned_at=f"2026-11-27T10:{i % 60:02d}:00Z")
        for i in range(agents)
    ]  # fmt: skip
    timings = []
    for _ in range(repeats):
        t = time.perf_counter()
        rank(candidates(team, "support", {"tier1"}), "least_loaded")[0]
        timings.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(timings), 3)


def main() -> dict:
    stack = LocalStack(api_port=API_PORT, aws_port=AWS_PORT).start()
    try:
        add_minimal_route(stack)
        stack.reset()
        post(stack.api_url, "/bench/minimal-webhook", b"{}")  # warm both paths
        webhook_latency(stack, 10)
        webhook = {load: webhook_latency(stack, load) for load in (20, 200)}
        escalation_latency(stack, 20)  # warm every function's instances (cold starts are measured apart)
        escalation = {}
        for load in (20, 200):
            stack.reset()
            escalation[load] = escalation_latency(stack, load)
        stack.reset()
        alone = escalation_latency(stack, 20, in_flight=1)  # the latency itself, without queueing
    finally:
        stack.stop()
    routing = {n: routing_decision(n) for n in (50, 500, 5000)}

    print(
        f"\n{'webhook (bot-answered)':<26}{'req':>6}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'minimal p50':>13}{'ratio':>7}"
    )
    for load, w in webhook.items():
        print(
            f"{'':<26}{load:>6}{w['rps']:>8}{w['p50_ms']:>9}{w['p99_ms']:>9}{w['minimal_p50_ms']:>13}{w['p50_ratio']:>7}"
        )
    print(
        f"\n{'escalation e2e (10 in flight)':<30}{'n':>6}{'notified':>10}{'p50 s':>8}{'p99 s':>8}{'per s':>7}"
    )
    for load, e in escalation.items():
        print(f"{'':<30}{load:>6}{e['notified']:>10}{e['p50_s']:>8}{e['p99_s']:>8}{e['throughput_per_s']:>7}")
    print(
        f"{'  one at a time':<30}{20:>6}{alone['notified']:>10}{alone['p50_s']:>8}{alone['p99_s']:>8}"
        f"{alone['throughput_per_s']:>7}"
    )
    print(f"\n{'routing decision':<26}{'agents':>8}{'median ms':>11}")
    for n, ms in routing.items():
        print(f"{'':<26}{n:>8}{ms:>11}")
    growth = {
        "webhook_p50_x10_load": round(webhook[200]["p50_ms"] / webhook[20]["p50_ms"], 2),
        "escalation_p50_x10_load": round(escalation[200]["p50_s"] / escalation[20]["p50_s"], 2)
        if escalation[20]["p50_s"] and escalation[200]["p50_s"]
        else None,
        "routing_x10_agents": round(routing[5000] / routing[500], 2),
        "routing_x0.1_agents": round(routing[50] / routing[500], 2),
    }
    print(f"\ngrowth factors: {json.dumps(growth)}")
    return {
        "webhook_p50_ratio": webhook[200]["p50_ratio"],
        "webhook_rps": webhook[200]["rps"],
        "escalation_p50_s": escalation[200]["p50_s"],
        "escalation_p99_s": escalation[200]["p99_s"],
        "escalation_alone_p50_s": alone["p50_s"],
        "routing_ms_500": routing[500],
        "growth": growth,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
