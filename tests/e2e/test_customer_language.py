"""Issue 16, bug 13 and point 8: the acknowledgement and the offline message in the customer's language
when the tenant has it (its own language otherwise), and routing keywords per language."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from liveagent.business_hours import WEEKDAY_NAMES
from liveagent.settings import WEEKDAYS
from tests.conftest import Client, eventually, whatsapp_text
from tests.e2e.workflows import handled

SPANISH_ACK = "¡Gracias por escribirnos!"


def _said_to(client: Client, customer: str) -> list[str]:
    return [m["text"] for m in client.outbox()["messages"] if m["to"] == customer]


def _ticket(client: Client, customer: str) -> dict:
    return eventually(lambda: [t for t in client.tickets() if t["customer"]["id"] == customer])[0]


def test_a_spanish_billing_complaint_goes_to_billing_with_a_spanish_acknowledgement(client: Client) -> None:
    customer = "15550903001"
    text = "Quiero hablar con una persona: me cobraron dos veces la factura de este mes"
    client.webhook(whatsapp_text(text, customer=customer))
    handled(client, customer)
    ticket = _ticket(client, customer)
    assert ticket["language"] == "es" and ticket["department"] == "billing"
    (said,) = _said_to(client, customer)
    assert said.startswith(SPANISH_ACK)


def test_a_language_the_tenant_has_no_text_for_gets_the_tenants_own(client: Client) -> None:
    messages = client.api("GET", "/api/settings/messages").json()
    without_dutch = {
        **messages,
        "translations": {k: v for k, v in messages["translations"].items() if k != "nl"},
    }
    assert client.api("PUT", "/api/settings/messages", json=without_dutch).status_code == 200
    customer = "15550903002"
    client.webhook(whatsapp_text("mag ik met een echte medewerker chatten alsjeblieft?", customer=customer))
    handled(client, customer)
    assert _ticket(client, customer)["language"] == "nl"
    assert _said_to(client, customer) == [messages["acknowledgement"]]


def test_an_english_customer_and_a_short_message_get_the_tenants_language(client: Client) -> None:
    for customer, text in (("15550903003", "I want to talk to a human"), ("15550903004", "humano")):
        client.webhook(whatsapp_text(text, customer=customer))
        handled(client, customer)
    assert _said_to(client, "15550903003")[0].startswith("Thanks for reaching out!")
    short = _ticket(client, "15550903004")
    assert short["language"] in (None, "en")  # too short to tell: the tenant's own language


def test_the_offline_message_is_in_the_customers_language_with_the_reopening_time(client: Client) -> None:
    hours = client.api("GET", "/api/settings/business-hours").json()
    opens = (datetime.now(ZoneInfo("Europe/Madrid")) + timedelta(days=2)).weekday()  # closed until then
    closed = {**hours, "hours": {WEEKDAYS[opens]: [["09:00", "09:01"]]}, "timezone": "Europe/Madrid"}
    assert client.api("PUT", "/api/settings/business-hours", json=closed).status_code == 200
    customer = "15550903005"
    client.webhook(whatsapp_text("Necesito hablar con alguien del equipo, por favor", customer=customer))
    handled(client, customer)
    (said,) = _said_to(client, customer)
    assert (
        said.startswith("¡Gracias por tu mensaje!")
        and f"Volvemos a abrir el {WEEKDAY_NAMES['es'][opens]} a las 09:00" in said
    )


def test_messages_settings_refuse_what_cannot_be_sent(client: Client) -> None:
    messages = client.api("GET", "/api/settings/messages").json()
    for bad in (
        {**messages, "translations": {"es": {"acknowledgement": "   "}}},
        {**messages, "translations": {"es": {"reopening": "el {dia}"}}},
        {**messages, "translations": {"xx": {"acknowledgement": "hi"}}},
        {**messages, "acknowledgement": ""},
    ):
        refused = client.api("PUT", "/api/settings/messages", json=bad)
        assert refused.status_code == 400, (bad, refused.text)
