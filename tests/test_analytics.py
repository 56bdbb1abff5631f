"""Analytics on a data set with known answers (pure summary) and the route on the local stack."""

from __future__ import annotations

from datetime import UTC, datetime

from liveagent.analytics import _percentile, summarize, ulid_floor
from liveagent.ids import new_ulid
from liveagent.settings import BusinessHours
from liveagent.tickets import TicketModel
from tests.conftest import Client, eventually, whatsapp_text


def _ticket(
    reason: str, status: str, created: str, first_response: str | None, assignee: str | None
) -> TicketModel:
    return TicketModel("t", new_ulid(), tenant_status=f"t#{status}", status=status, reason=reason, channel="whatsapp",
                       conversation_id="c", customer_id="x", created_at=created, first_response_at=first_response,
                       department="billing", assignee=assignee)  # fmt: skip


def test_summary_with_known_answers() -> None:
    tickets = [
        _ticket("complaint", "closed", "2026-11-20T10:00:00.000Z", "2026-11-20T10:10:00.000Z", "a"),  # 600 s
        _ticket(
            "complaint", "answered", "2026-11-20T11:00:00.000Z", "2026-11-20T12:30:00.000Z", "a"
        ),  # 5400 s
        _ticket(
            "agent_requested", "answered", "2026-11-21T09:00:00.000Z", "2026-11-21T09:20:00.000Z", "b"
        ),  # 1200 s
        _ticket("question_not_found", "requested", "2026-11-21T09:30:00.000Z", None, None),
    ]
    result = summarize(tickets, answered=16, escalated=4)
    assert result["tickets"] == 4
    assert result["by_reason"] == {
        "agent_requested": 1,
        "complaint": 2,
        "custom_trigger": 0,
        "question_not_found": 1,
    }
    assert result["by_status"] == {"requested": 1, "answered": 2, "closed": 1}
    assert result["escalation_rate"] == 0.2
    assert result["median_first_response_seconds"] == 1200.0
    assert result["p90_first_response_seconds"] == 5400.0  # nearest rank: the 3rd of 3
    assert result["sla"] == {"target_seconds": 3600, "business_hours": False, "met_ratio": round(2 / 3, 4)}
    assert result["per_agent"] == {
        "a": {"tickets": 2, "closed": 1, "median_first_response_seconds": 3000.0},
        "b": {"tickets": 1, "closed": 0, "median_first_response_seconds": 1200.0},
    }


def test_first_responses_count_business_hours_only_when_the_tenant_has_them() -> None:
    # Raised Friday 17:30 (UTC), answered Monday 09:10: open Mon-Fri 09:00-18:00.
    hours = BusinessHours(
        timezone="UTC", hours={day: [("09:00", "18:00")] for day in ("mon", "tue", "wed", "thu", "fri")}
    )
    tickets = [_ticket("complaint", "answered", "2026-11-20T17:30:00.000Z", "2026-11-23T09:10:00.000Z", "a")]
    assert summarize(tickets, 0, 1)["median_first_response_seconds"] == 63 * 3600 + 40 * 60
    within = summarize(tickets, 0, 1, hours=hours)
    assert within["median_first_response_seconds"] == 40 * 60  # 30 min Friday + 10 min Monday
    assert within["sla"] == {"target_seconds": 3600, "business_hours": True, "met_ratio": 1.0}


def test_percentile_is_nearest_rank() -> None:
    assert _percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert _percentile([], 0.9) is None


def test_ulid_floor_orders_with_generated_ids() -> None:
    moment = datetime(2026, 11, 27, 12, tzinfo=UTC)
    before = new_ulid(int(moment.timestamp() * 1000) - 1)
    after = new_ulid(int(moment.timestamp() * 1000))
    assert before < ulid_floor(moment) <= after


def test_summary_route_counts_bot_answers_and_escalations(client: Client) -> None:
    client.webhook(whatsapp_text("how long does delivery take?", customer="15550500001"))
    client.webhook(whatsapp_text("I want to talk to a human", customer="15550500002"))
    eventually(lambda: client.tickets() and len(client.outbox()["messages"]) >= 2)

    def counted() -> dict | None:
        body = client.api("GET", "/api/analytics/summary?days=7", as_user="alice@demo.test").json()
        return body if body["escalation_rate"] == 0.5 else None

    body = eventually(counted)
    assert body["tickets"] == 1 and body["by_reason"]["agent_requested"] == 1 and body["bot_answered"] == 1
    assert body["top_unanswered"] == []  # the escalation was a request for a person, not a KB miss
    assert client.api("GET", "/api/analytics/summary?days=0").status_code == 400
