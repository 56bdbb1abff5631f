"""The dashboard in a real browser (Debian's Chromium driven by Playwright) against the local stack.

An agent sees a ticket from a signed webhook appear without reloading, opens it, replies (the reply reaches
the customer: /local/outbox), closes it and adds it to the knowledge base; an admin changes a setting that
the API then returns; an agent never sees the admin screens. No console errors anywhere, and nothing wider
than a phone screen. Screenshots go to $SCREENSHOT_DIR (`make screenshots`: docs/screenshots/), else to a
temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Client, eventually, whatsapp_text

PASSWORD = "Demo-pass-1"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Session:
    """One signed-in browser tab that records console errors."""

    def __init__(self, browser: Browser, client: Client, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.base = client.base

    def login(self, email: str) -> Page:
        page = self.page
        page.goto(f"{self.base}/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#who")).to_contain_text(email)
        return page

    def close(self, refused_on_purpose: int = 0, refusal: str = "BAD REQUEST") -> None:
        """No console errors, but for the API refusals the test provoked (the browser logs those)."""
        self.context.close()
        refusals = [e for e in self.errors if e.startswith("Failed to load resource") and f"({refusal})" in e]
        assert len(refusals) == refused_on_purpose, self.errors
        assert [e for e in self.errors if e not in refusals] == [], self.errors


def save(page: Page, button: str, path: str) -> None:
    """Click a save button and wait for the API's answer to that save. The notice alone cannot tell: one
    left by the save before ("Escalation rules saved.") is still on screen for 4 s (CI read the old policy
    back that way)."""
    with page.expect_response(lambda r: r.url.endswith(path) and r.request.method == "PUT"):
        page.get_by_role("button", name=button).click()


def _only_alice_online(client: Client) -> None:
    for email in ("bob@demo.test", "lead@demo.test"):
        assert client.api("PUT", f"/api/agents/{client.agent_id(email)}", json={"status": "away"}).ok


def test_an_agent_works_a_ticket_from_arrival_to_the_knowledge_base(
    client: Client, browser: Browser, shots: Path
) -> None:
    _only_alice_online(client)
    session = Session(browser, client)
    page = session.login("alice@demo.test")
    expect(page.get_by_role("link", name="Admin")).to_be_hidden()  # an agent sees no admin screens
    expect(page.get_by_text("No requested tickets.")).to_be_visible()

    question = "Do you repair espresso machines?"
    client.webhook(whatsapp_text(question, customer="15550700001", name="Dana Demo"))
    row = page.locator("tr", has_text="Dana Demo")
    expect(row).to_be_visible(timeout=15_000)  # appears without a reload
    expect(row).to_contain_text("Question not found")
    page.screenshot(path=str(shots / "support.png"))

    row.get_by_role("link", name="Dana Demo").click()
    expect(page.get_by_role("heading", name="Dana Demo")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text(question)
    expect(page.locator("#window-state")).to_contain_text("window open")
    page.get_by_label("Reply to the customer").fill("Yes, we repair them in our Portland workshop.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Portland workshop", timeout=10_000)
    sent = eventually(
        lambda: [m for m in client.outbox()["messages"] if "Portland workshop" in (m["text"] or "")]
    )
    assert sent[0]["to"] == "15550700001"
    page.screenshot(path=str(shots / "ticket.png"), full_page=True)

    page.get_by_role("button", name="Add to knowledge base").click()
    kb_form = page.locator("#kb-form")
    expect(kb_form.locator("[name=question]")).to_have_value(question)  # pre-filled
    expect(kb_form.locator("[name=answer]")).to_have_value("Yes, we repair them in our Portland workshop.")
    page.get_by_role("button", name="Save to knowledge base").click()
    expect(page.locator("#notice")).to_contain_text("knowledge base")
    entries = client.api("GET", "/api/knowledge").json()["items"]
    assert any(e["question"] == question for e in entries)

    page.get_by_role("button", name="Close").click()
    expect(page.locator("#ticket-status")).to_have_text("closed")
    assert (
        client.api("GET", "/api/tickets", params={"status": "closed"}).json()["items"][0]["customer"]["name"]
        == "Dana Demo"
    )

    page.goto(f"{session.base}/#/admin/escalation")  # typed by hand: still not for agents
    expect(page.get_by_role("heading", name="Support")).to_be_visible()

    page.get_by_role("link", name="Notifications").click()
    expect(page.locator(".notifications")).to_contain_text("Dana Demo")
    page.screenshot(path=str(shots / "notifications.png"))
    page.get_by_role("link", name="My settings").click()
    page.get_by_role("button", name="Send me a test notification").click()
    expect(page.locator("#test-result")).to_contain_text("email")
    page.screenshot(path=str(shots / "my-settings.png"))
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.screenshot(path=str(shots / "login.png"))
    session.close()


def test_an_admin_changes_settings_that_the_api_keeps(client: Client, browser: Browser, shots: Path) -> None:
    client.webhook(whatsapp_text("I want to talk to a human", customer="15550700002", name="Eli Example"))
    eventually(lambda: client.tickets())
    session = Session(browser, client)
    page = session.login("admin@demo.test")
    page.get_by_role("link", name="Admin").click()

    keywords = page.get_by_label("Always-escalate keywords")
    keywords.fill("refund, billing, complaint, lawyer")
    save(page, "Save escalation rules", "/api/settings/escalation")
    expect(page.locator("#notice")).to_contain_text("Escalation rules saved.")
    assert "lawyer" in client.api("GET", "/api/settings/escalation").json()["keywords"]
    page.get_by_label("Customer message").fill("when are you open?")
    page.get_by_role("button", name="What would the bot do?").click()
    expect(page.locator("#preview")).to_contain_text("The bot answers with “What are your opening hours?”")
    page.screenshot(path=str(shots / "admin-escalation.png"), full_page=True)

    for section, heading, name in (
        ("Routing", "Routing", "admin-routing"),
        ("Escalation policy", "Escalation policy", "admin-policy"),
        ("Business hours", "Business hours", "admin-hours"),
        ("Team", "Team", "admin-team"),
        ("Knowledge base", "Knowledge base", "admin-knowledge"),
        ("Analytics", "Analytics", "admin-analytics"),
    ):
        page.get_by_role("navigation", name="Admin").get_by_role("link", name=section).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Escalation policy").click()
    page.get_by_label("Level 1 waits").fill("10")  # minutes
    save(page, "Save policy", "/api/settings/escalation-policy")
    expect(page.locator("#notice")).to_contain_text("Escalation policy saved.")
    assert client.api("GET", "/api/settings/escalation-policy").json()["levels"][0]["timeout_seconds"] == 600

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Routing").click()
    page.get_by_role("button", name="Add department").click()
    page.get_by_label("Department name").last.fill("nobody_works_here")
    page.get_by_role("button", name="Save routing").click()
    # the API's words, shown
    expect(page.locator("#notice")).to_contain_text("nobody works in the department 'nobody_works_here'")
    session.close(refused_on_purpose=1, refusal="CONFLICT")


def test_an_admin_saving_over_another_admins_change_sees_it_first(client: Client, browser: Browser) -> None:
    session = Session(browser, client)
    page = session.login("admin@demo.test")
    page.get_by_role("link", name="Admin").click()
    keywords = page.get_by_label("Always-escalate keywords")
    expect(keywords).not_to_have_value("")
    # Meanwhile another admin saves the same rules (through the API, as the other tab would).
    read = client.api("GET", "/api/settings/escalation").json()
    assert client.api("PUT", "/api/settings/escalation", json={**read, "keywords": ["solicitor"]}).ok
    keywords.fill("lawyer")
    page.get_by_role("button", name="Save escalation rules").click()
    expect(page.locator("#notice")).to_contain_text("changed by someone else")
    expect(page.get_by_label("Always-escalate keywords")).to_have_value("solicitor")  # theirs, shown
    assert client.api("GET", "/api/settings/escalation").json()["keywords"] == ["solicitor"]  # not undone
    page.get_by_label("Always-escalate keywords").fill("solicitor, lawyer")
    save(page, "Save escalation rules", "/api/settings/escalation")
    expect(page.locator("#notice")).to_contain_text("saved")
    assert client.api("GET", "/api/settings/escalation").json()["keywords"] == ["solicitor", "lawyer"]
    # Saved again without reloading: the page holds the version it just wrote, so no false conflict.
    page.get_by_label("Always-escalate keywords").fill("solicitor, lawyer, court")
    save(page, "Save escalation rules", "/api/settings/escalation")
    expect(page.locator("#notice")).to_contain_text("saved")
    assert client.api("GET", "/api/settings/escalation").json()["keywords"] == [
        "solicitor",
        "lawyer",
        "court",
    ]
    session.close(refused_on_purpose=1, refusal="CONFLICT")


def test_the_support_list_fits_a_phone(client: Client, browser: Browser, shots: Path) -> None:
    client.webhook(whatsapp_text("I want to talk to a human", customer="15550700003", name="Fran Phone"))
    eventually(lambda: client.tickets())
    session = Session(browser, client, width=390)
    page = session.login("admin@demo.test")
    expect(page.locator("tr", has_text="Fran Phone")).to_be_visible(timeout=15_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.reload()  # still signed in (sessionStorage); focus starts at the top of the page
    expect(page.locator("tr", has_text="Fran Phone")).to_be_visible()
    page.keyboard.press("Tab")  # keyboard: the skip link comes first
    expect(page.locator(".skip")).to_be_focused()
    page.screenshot(path=str(shots / "support-phone.png"), full_page=True)
    session.close()


def test_a_user_an_admin_created_chooses_their_password_at_first_sign_in(
    client: Client, browser: Browser
) -> None:
    """`python -m infra.admin STACK user add` leaves the user with a temporary password: Cognito answers
    the first sign-in with NEW_PASSWORD_REQUIRED, and the dashboard asks for their own."""
    from infra import admin
    from infra.target import Target

    outputs = client.stack.outputs()
    target = Target("local", outputs, outputs["Region"], outputs["AwsEndpoint"])
    spec = admin.UserSpec(email="new.agent@demo.test", tenant="demo", permission="agent", name="New Agent",
                          departments=["tech_support"], temporary_password="Temp-pass-1234")  # fmt: skip
    assert "added to tenant demo" in admin.add_user(target, spec)
    session = Session(browser, client)
    page = session.page
    page.goto(f"{client.base}/")
    page.get_by_label("Email").fill("new.agent@demo.test")
    page.get_by_label("Password", exact=True).fill("Temp-pass-1234")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.get_by_label("Choose a password").fill("Mine-is-longer-1")
    page.get_by_label("Repeat it").fill("Mine-is-longer-2")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.locator("#new-password-error")).to_have_text("The two passwords differ.")
    page.get_by_label("Repeat it").fill("Mine-is-longer-1")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.locator("#who")).to_contain_text("new.agent@demo.test (agent)")
    session.close()
    # The new password is theirs from now on; the temporary one no longer works.
    assert client.token("new.agent@demo.test", password="Mine-is-longer-1")


def test_a_message_meta_would_not_take_is_resent_from_deliveries(
    client: Client, browser: Browser, shots: Path
) -> None:
    import requests as http

    assert http.post(f"{client.base}/local/faults", json={"graph": {"error_code": 131026, "times": 1}}).ok
    client.webhook(whatsapp_text("How long does delivery take?", customer="15550700009", name="Dee Livery"))
    eventually(lambda: client.api("GET", "/api/deliveries/attention").json()["items"], timeout=30)
    session = Session(browser, client)
    page = session.login("carol@demo.test")
    page.get_by_role("link", name="Deliveries").click()
    row = page.locator("tr", has_text="Dee Livery")
    expect(row).to_contain_text("Not delivered")
    page.screenshot(path=str(shots / "deliveries.png"), full_page=True)
    row.get_by_role("button", name="Resend").click()
    expect(page.locator("#deliveries")).to_contain_text("Every message reached its customer.")
    sent = [m for m in client.outbox()["messages"] if m["to"] == "15550700009"]
    assert len(sent) == 1 and sent[0]["text"].startswith("Standard delivery")
    session.close()
