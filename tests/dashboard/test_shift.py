"""Issue 16's shift, in the browser: two agents and an admin. A returning customer is marked "needs
reply"; an internal note stays inside; a hand-over goes by name with a note; a suggested reply is sent;
an agent's proposed KB entry is approved by the admin and then answered by the bot; the admin is refused
a change that would strand tickets."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.conftest import Client, eventually, whatsapp_text
from tests.dashboard.test_dashboard import Session, shots  # noqa: F401  (the screenshots folder)

CUSTOMER, NAME = "15550801001", "Rosa Returning"
NOTE = "VIP customer: order 4417 is held at the warehouse"
HANDOVER = "Please follow up on 4417 with the warehouse"
NEW_QUESTION = "Can you expedite a delayed order?"
NEW_ANSWER = "Yes: send us the order number and we upgrade it to express delivery at no cost."


def _texts_to(client: Client, customer: str) -> list[str]:
    return [m["text"] or "" for m in client.outbox()["messages"] if m["to"] == customer]


def _status(client: Client, email: str, status: str) -> None:
    assert client.api("PUT", f"/api/agents/{client.agent_id(email)}", json={"status": status}).ok


def test_a_shift_two_agents_and_an_admin(client: Client, browser: Browser, shots: Path) -> None:  # noqa: F811
    for email in ("bob@demo.test", "lead@demo.test"):
        _status(client, email, "away")  # the ticket goes to Alice
    alice_tab, bob_tab, admin_tab = (Session(browser, client) for _ in range(3))

    # Alice answers; the customer writes again: the ticket needs a reply.
    alice = alice_tab.login("alice@demo.test")
    client.webhook(whatsapp_text("I want to talk to a human about my order", customer=CUSTOMER, name=NAME))
    alice.locator("tr", has_text=NAME).get_by_role("link", name=NAME).click(timeout=15_000)
    expect(alice.get_by_role("region", name="Handoff summary")).to_contain_text("asked for a person")
    alice.get_by_label("Reply to the customer").fill("Let me check that for you.")
    alice.get_by_role("button", name="Send").click()
    expect(alice.locator("#ticket-status")).to_have_text("answered", timeout=10_000)
    client.webhook(whatsapp_text("It is order 4417, it was due yesterday", customer=CUSTOMER, name=NAME))
    alice.get_by_role("link", name="← Tickets").click()
    alice.get_by_role("tab", name=re.compile("Answered")).click()
    row = alice.locator("tr", has_text=NAME)
    expect(row.locator(".badge.needs-reply")).to_be_visible(timeout=15_000)
    expect(alice).to_have_title(re.compile(r"^\(1\) "))
    alice.screenshot(path=str(shots / "needs-reply.png"))

    # An internal note: on the ticket, never sent.
    row.get_by_role("link", name=NAME).click()
    alice.get_by_label("Internal note").fill(NOTE)
    alice.get_by_role("button", name="Add note").click()
    expect(alice.locator(".notes")).to_contain_text(NOTE)
    assert not any("4417" in text for text in _texts_to(client, CUSTOMER))

    # A hand-over by name, with a note for Bob.
    _status(client, "bob@demo.test", "online")
    alice.reload()
    picker = alice.get_by_label("Hand over to")
    picker.select_option(label=picker.locator("option", has_text="Bob").inner_text())
    alice.get_by_label("Note for them").fill(HANDOVER)
    alice.get_by_role("button", name="Reassign").click()
    expect(alice.locator("#notice.ok")).to_contain_text("Handed over")

    # Bob finds it among his, reads both notes and sends a suggested reply.
    bob = bob_tab.login("bob@demo.test")
    bob.get_by_label("Only mine").check()
    bob.get_by_role("tab", name=re.compile("Answered")).click()
    bob.locator("tr", has_text=NAME).get_by_role("link", name=NAME).click(timeout=10_000)
    expect(bob.locator(".notes")).to_contain_text(NOTE)
    expect(bob.locator(".notes")).to_contain_text(HANDOVER)
    suggestion = bob.get_by_role("region", name="Suggested replies").locator("li").first
    suggested = suggestion.locator("p").inner_text()
    suggestion.get_by_role("button", name=re.compile("^Use")).click()
    expect(bob.get_by_label("Reply to the customer")).to_have_value(suggested)
    bob.screenshot(path=str(shots / "ticket-notes-suggestions.png"), full_page=True)
    bob.get_by_role("button", name="Send").click()
    expect(bob.locator("#notice.ok")).to_contain_text("Sent")
    assert eventually(lambda: suggested in _texts_to(client, CUSTOMER))

    # Bob proposes a KB entry; the bot does not use it until the admin approves it.
    bob.get_by_role("button", name="Add to knowledge base").click()
    # The form drafts the answer from the reply Bob sent; he writes his own once it is there (typed while
    # the draft arrives, Playwright's fill could land after it rather than in place of it).
    expect(bob.locator("#kb-form [name=answer]")).not_to_have_value("")
    bob.locator("#kb-form [name=question]").fill(NEW_QUESTION)
    bob.locator("#kb-form [name=answer]").fill(NEW_ANSWER)
    bob.get_by_role("button", name="Save to knowledge base").click()
    expect(bob.locator("#notice.ok")).to_contain_text("an admin reviews it")

    admin = admin_tab.login("admin@demo.test")
    admin.goto(f"{client.base}/#/admin/knowledge")
    proposal = admin.locator(".proposals li", has_text="by Bob")
    expect(proposal.get_by_label("Proposed question")).to_have_value(NEW_QUESTION)
    admin.screenshot(path=str(shots / "admin-proposals.png"), full_page=True)
    proposal.get_by_role("button", name="Approve").click()
    expect(admin.locator("#notice.ok")).to_contain_text("Approved")
    client.webhook(whatsapp_text(NEW_QUESTION, customer="15550801002", name="Next Customer"))
    assert eventually(lambda: _texts_to(client, "15550801002"), timeout=15) == [NEW_ANSWER]

    # A change that would leave escalation level 2 (role:team_lead) with nobody is refused in words.
    admin.goto(f"{client.base}/#/admin/team")
    roles = admin.get_by_label("Roles of lead@demo.test")
    roles.fill("tier1")
    admin.locator("tr", has=roles).get_by_role("button", name="Save").click()
    expect(admin.locator("#notice.error")).to_contain_text("role 'team_lead', which no agent has")
    lead = next(a for a in client.api("GET", "/api/agents").json()["items"] if a["email"] == "lead@demo.test")
    assert lead["roles"] == ["team_lead"]

    for tab in (alice_tab, bob_tab):
        tab.close()
    admin_tab.close(refused_on_purpose=1, refusal="CONFLICT")
