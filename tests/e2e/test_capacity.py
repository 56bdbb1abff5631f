"""Load balancing under concurrency: never over capacity, never two owners; a queue when full."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import Client, eventually, whatsapp_text

TECH = ("alice@demo.test", "bob@demo.test", "lead@demo.test")


def test_concurrent_escalations_respect_capacity_and_queue_the_rest(client: Client) -> None:
    for email in TECH:
        assert (
            client.api("PUT", f"/api/agents/{client.agent_id(email)}", json={"capacity": 2}).status_code
            == 200
        )
    customers = [f"1555100{n:04d}" for n in range(9)]
    with ThreadPoolExecutor(max_workers=9) as pool:
        codes = list(
            pool.map(
                lambda c: client.webhook(whatsapp_text("I want a human agent", customer=c)).status_code,
                customers,
            )
        )
    assert codes == [200] * 9

    def settled() -> list[dict] | None:
        found = client.tickets()
        waiting = [t for t in found if not t["assignee"]]
        queued = all(any(e["event"] == "queued" for e in t["escalation"]["history"]) for t in waiting)
        return found if len(found) == 9 and len(waiting) == 3 and queued else None

    tickets = eventually(settled, timeout=15)
    assigned = [t for t in tickets if t["assignee"]]
    per_agent = {
        client.agent_id(e): sum(1 for t in assigned if t["assignee"] == client.agent_id(e)) for e in TECH
    }
    assert sorted(per_agent.values()) == [2, 2, 2]  # balanced, and nobody over capacity 2
    agents = {a["id"]: a for a in client.api("GET", "/api/agents").json()["items"]}
    assert all(agents[i]["open_tickets"] == 2 for i in per_agent)
    queued = [t for t in tickets if not t["assignee"]]
    assert len(queued) == 3 and all(t["status"] == "requested" for t in queued)
    assert all(any(e["event"] == "queued" for e in t["escalation"]["history"]) for t in queued)

    # Closing one frees capacity: the oldest waiting ticket is assigned at once.
    oldest_waiting = min(queued, key=lambda t: t["id"])
    closer = next(e for e in TECH if client.agent_id(e) == assigned[0]["assignee"])
    assert client.api("POST", f"/api/tickets/{assigned[0]['id']}/close", as_user=closer).status_code == 200
    taken = eventually(lambda: client.api("GET", f"/api/tickets/{oldest_waiting['id']}").json()["assignee"])
    assert taken == assigned[0]["assignee"]
