"""Close the loop: an escalated question answered by an agent becomes a KB entry; the next customer
asking it gets the answer at once. Unanswered questions are grouped for admins; preview sends nothing."""

from __future__ import annotations

from tests.conftest import Client, eventually, whatsapp_text

QUESTION = "do you offer corporate gift boxes for holidays?"


def test_an_agents_answer_added_to_the_kb_answers_the_next_customer(client: Client) -> None:
    client.webhook(whatsapp_text(QUESTION, customer="15550200001"))
    ticket = eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0]
    assert ticket["reason"] == "question_not_found"
    agent = next(e for e, i in client.stack.users.items() if i == ticket["assignee"])
    answer = "Yes! Corporate gift boxes start at 10 boxes; order them from our corporate page."
    assert (
        client.api(
            "POST", f"/api/tickets/{ticket['id']}/reply", as_user=agent, json={"text": answer}
        ).status_code
        == 201
    )
    added = client.api("POST", f"/api/tickets/{ticket['id']}/knowledge", as_user=agent, json={})
    assert added.status_code == 201
    proposal = added.json()
    assert proposal["question"] == QUESTION and proposal["answer"] == answer
    assert proposal["status"] == "proposed" and proposal["proposed_by"] == ticket["assignee"]
    assert client.api("POST", f"/api/tickets/{ticket['id']}/close", as_user=agent).status_code == 200

    # Proposed, not reviewed: the bot does not repeat it yet (the next asker reaches a person).
    client.webhook(whatsapp_text("Do you offer corporate gift boxes?", customer="15550200003"))
    waiting = eventually(lambda: [t for t in client.tickets() if t["customer"]["id"] == "15550200003"])
    assert waiting[0]["reason"] == "question_not_found"
    assert client.api("POST", f"/api/knowledge/{proposal['id']}/approve", as_user=agent).status_code == 403
    approved = client.api("POST", f"/api/knowledge/{proposal['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "live"

    client.webhook(whatsapp_text("Do you offer corporate gift boxes?", customer="15550200002"))
    reply = eventually(lambda: [m for m in client.outbox()["messages"] if m["to"] == "15550200002"])
    assert reply[0]["text"] == answer
    # No ticket for the customer asking after the approval.
    assert [t["customer"]["id"] for t in client.tickets()] == ["15550200003"]
    assert "knowledge.approve" in [e["action"] for e in client.api("GET", "/api/audit").json()["items"]]


def test_unanswered_questions_are_grouped_for_admins(client: Client) -> None:
    for n, text in enumerate(
        ["Do you sell espresso machines?", "espresso machines: do you sell them", "Is parking free?"]
    ):
        client.webhook(whatsapp_text(text, customer=f"1555030000{n}"))
    eventually(lambda: len(client.tickets()) == 3)
    items = client.api("GET", "/api/knowledge/unanswered").json()["items"]
    assert items[0]["count"] == 2 and len(items[0]["ticket_ids"]) == 2 and items[0]["last_seen"]
    assert items[1]["count"] == 1


def test_preview_explains_the_decision_and_sends_nothing(client: Client) -> None:
    preview = client.api(
        "POST", "/api/detect/preview", as_user="alice@demo.test", json={"text": "when are you open?"}
    )
    assert preview.status_code == 200
    body = preview.json()
    assert body["escalate"] is False and body["kb_id"] == "kb-hours" and "Monday" in body["answer"]
    escalated = client.api("POST", "/api/detect/preview", json={"text": "I want a refund now"}).json()
    assert escalated["escalate"] and escalated["reason"] == "custom_trigger"
    assert escalated["triggers"][0] == {"type": "keyword", "keyword": "refund"}
    assert client.outbox()["messages"] == [] and client.tickets() == []


def test_a_question_answered_since_leaves_the_unanswered_lists(client: Client) -> None:
    client.webhook(whatsapp_text(QUESTION, customer="15550200011"))
    ticket = eventually(lambda: [t for t in client.tickets() if t["assignee"]])[0]
    listed = client.api("GET", "/api/knowledge/unanswered").json()["items"]
    assert [g["question"] for g in listed] == [QUESTION]
    assert client.api("GET", "/api/analytics/summary").json()["top_unanswered"][0]["question"] == QUESTION
    agent = next(e for e, i in client.stack.users.items() if i == ticket["assignee"])
    answer = "Yes! Corporate gift boxes start at 10 boxes; order them from our corporate page."
    client.api("POST", f"/api/tickets/{ticket['id']}/reply", as_user=agent, json={"text": answer})
    proposed = client.api("POST", f"/api/tickets/{ticket['id']}/knowledge", as_user=agent, json={})
    assert proposed.status_code == 201
    assert [g["question"] for g in client.api("GET", "/api/knowledge/unanswered").json()["items"]] == [
        QUESTION
    ]
    assert client.api("POST", f"/api/knowledge/{proposed.json()['id']}/approve").status_code == 200
    assert client.api("GET", "/api/knowledge/unanswered").json()["items"] == []
    assert client.api("GET", "/api/analytics/summary").json()["top_unanswered"] == []
