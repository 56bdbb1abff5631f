"""Issue 16, bug 11 and "nothing missed": a ticket needs a reply whenever the customer wrote last, and
one counts call gives the tabs (under the list's filters) and what waits on the caller."""

from __future__ import annotations

from tests.conftest import Client, eventually, whatsapp_text
from tests.e2e.workflows import handled


def _ticket(client: Client, customer: str) -> dict:
    found = eventually(
        lambda: [t for t in client.tickets() if t["customer"]["id"] == customer and t["assignee"]]
    )
    return found[0]


def _detail(client: Client, ticket_id: str) -> dict:
    return client.api("GET", f"/api/tickets/{ticket_id}").json()


def test_the_customer_writing_last_is_what_needs_a_reply(client: Client) -> None:
    customer = "15550902001"
    client.webhook(whatsapp_text("I want to talk to a human", customer=customer))
    ticket = _ticket(client, customer)
    assert ticket["needs_reply"] is True  # nobody answered yet
    agent = next(e for e, i in client.stack.users.items() if i == ticket["assignee"])
    sent = client.api("POST", f"/api/tickets/{ticket['id']}/reply", as_user=agent, json={"text": "On it."})
    assert sent.status_code == 201, sent.text
    answered = _detail(client, ticket["id"])
    assert answered["status"] == "answered" and answered["needs_reply"] is False

    client.webhook(whatsapp_text("Any news?", customer=customer))
    handled(client, customer, count=2)  # the message has joined the ticket
    back = _detail(client, ticket["id"])
    assert back["status"] == "answered" and back["needs_reply"] is True
    assert back["last_customer_at"] > back["last_agent_at"]
    counts = client.api("GET", "/api/tickets/counts", as_user=agent).json()
    assert counts["needs_reply"] == 1 and counts["mine_needs_reply"] == 1
    assert counts["counts"] == {"requested": 0, "answered": 1, "closed": 0}

    client.api("POST", f"/api/tickets/{ticket['id']}/close", as_user=agent)
    assert _detail(client, ticket["id"])["needs_reply"] is False  # closed: the bot has the customer again


def test_counts_follow_the_same_filters_as_the_list(client: Client) -> None:
    for customer, text in (("15550902011", "I want to talk to a human"),
                           ("15550902012", "I want to talk to a human about my invoice")):  # fmt: skip
        client.webhook(whatsapp_text(text, customer=customer))
    eventually(lambda: len(client.tickets()) == 2, timeout=15)
    everything = client.api("GET", "/api/tickets/counts").json()
    assert everything["counts"]["requested"] == 2 and everything["more"]["requested"] is False
    one = client.api("GET", "/api/tickets/counts", params={"q": "15550902012"}).json()
    assert one["counts"]["requested"] == 1 and one["needs_reply"] == 1
    billing = client.api("GET", "/api/tickets/counts", params={"department": "billing"}).json()
    listed = client.api("GET", "/api/tickets", params={"department": "billing"}).json()["items"]
    assert billing["counts"]["requested"] == len(listed) == 1
    refused = client.api("GET", "/api/tickets/counts", params={"reason": "nonsense"})
    assert refused.status_code == 400, refused.text


def test_the_list_searches_what_the_customer_wrote(client: Client) -> None:
    customer = "15550902021"
    client.webhook(whatsapp_text("I want to talk to a human", customer=customer))
    ticket = _ticket(client, customer)
    client.webhook(whatsapp_text("The parcel with the BLUE umbrella never came", customer=customer))
    handled(client, customer, count=2)
    found = client.api("GET", "/api/tickets", params={"q": "blue umbrella"}).json()["items"]
    assert [t["id"] for t in found] == [ticket["id"]]
    assert client.api("GET", "/api/tickets", params={"q": "green umbrella"}).json()["items"] == []
    counts = client.api("GET", "/api/tickets/counts", params={"q": "blue umbrella"}).json()
    assert counts["counts"]["requested"] == 1
