"""Ticket list: newest first, filters, cursor pagination that never skips or repeats a ticket."""

from __future__ import annotations

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
