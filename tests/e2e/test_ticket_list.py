"""Ticket list: newest first, filters, cursor pagination that never skips or repeats a ticket."""

from __future__ import annotations

from liveagent.ids import parse_iso
from liveagent.tickets import TicketModel
from tests.conftest import Client, eventually, instagram_text, whatsapp_text


def test_pages_filters_and_search(client: Client) -> None:
    for n in range(5):
        client.webhook(
            whatsapp_text("I want to talk to a human", customer=f"155508000{n:02d}", name=f"Customer {n}")
        )
    client.webhook(
        whatsapp_text(
            "please fix the invoice for my subscription", customer="15550800099", name="Zed Billing"
        )
    )
    client.webhook(instagram_text("can I speak to a person", sender="IGSID-LIST"))

    def all_seven() -> list[dict] | None:
        found = client.tickets(limit="100")
        return found if len(found) == 7 else None

    everything = eventually(all_seven)
    assert [t["id"] for t in everything] == sorted(
        (t["id"] for t in everything), reverse=True
    )  # newest first

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        body = client.api("GET", "/api/tickets", params=params).json()
        seen += [t["id"] for t in body["items"]]
        pages += 1
        cursor = body["next"]
        if not cursor:
            break
    assert pages == 3 and seen == [t["id"] for t in everything]  # nothing skipped, nothing repeated

    def ids(**params: str) -> set[str]:
        return {t["id"] for t in client.api("GET", "/api/tickets", params=params).json()["items"]}

    assert len(ids(channel="instagram")) == 1
    assert {t["customer"]["name"] for t in everything if t["id"] in ids(department="billing")} == {
        "Zed Billing"
    }
    assert len(ids(reason="agent_requested")) == 6
    assert len(ids(q="customer 3")) == 1 and len(ids(q="igsid-list")) == 1
    paged = client.api("GET", "/api/tickets", params={"reason": "agent_requested", "limit": "4"}).json()
    rest = client.api(
        "GET", "/api/tickets", params={"reason": "agent_requested", "limit": "4", "cursor": paged["next"]}
    ).json()
    assert len(paged["items"]) == 4 and len(rest["items"]) == 2 and rest["next"] is None
    assert client.api("GET", "/api/tickets", params={"cursor": "nonsense"}).status_code == 400
    assert client.api("GET", "/api/tickets", params={"reason": "bored"}).status_code == 400


def test_closed_tickets_are_archived_out_of_the_default_list(client: Client) -> None:
    for customer in ("15550810001", "15550810002"):
        client.webhook(whatsapp_text("I want to talk to a human", customer=customer))

    def both_assigned() -> list[dict] | None:
        assigned = [t for t in client.tickets() if t["assignee"]]
        return assigned if len(assigned) == 2 else None

    both = eventually(both_assigned)
    closing = both[0]
    agent = next(e for e, i in client.stack.users.items() if i == closing["assignee"])
    closed = client.api("POST", f"/api/tickets/{closing['id']}/close", as_user=agent).json()
    assert closed["status"] == "closed"

    assert [t["id"] for t in client.tickets()] == [both[1]["id"]]
    assert [t["id"] for t in client.tickets(status="closed")] == [closing["id"]]
    assert {t["id"] for t in client.tickets(include_closed="true")} == {t["id"] for t in both}
    assert client.api("GET", f"/api/tickets/{closing['id']}").json()["status"] == "closed"  # still readable
    # CONTRACT's `?status=&assignee=`: empty filters are no filters.
    assert [t["id"] for t in client.tickets(status="", assignee="")] == [both[1]["id"]]
    expires = int(TicketModel.get("demo", closing["id"]).expires_at)  # DynamoDB TTL
    closed_at = int(parse_iso(closed["closed_at"]).timestamp())
    assert 365 * 86400 - 5 <= expires - closed_at <= 365 * 86400 + 5  # retention_days: 365 by default


def test_bad_filters_name_the_field(client: Client) -> None:
    response = client.api("GET", "/api/tickets", params={"status": "sleeping"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["message"].startswith("status:")
    limit = client.api("GET", "/api/tickets", params={"limit": "0"}).json()["error"]["message"]
    assert limit.startswith("limit:")
