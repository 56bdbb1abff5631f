"""Analytics for admins and agents: volumes, reasons, escalation rate, first-response times vs the SLA.

Tickets in the period come from one key-range query (ticket ids are ULIDs, so time-ordered); the
escalation rate uses per-day decision counters kept by the detect step (no scans).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from liveagent import config, storage
from liveagent.business_hours import open_seconds_between
from liveagent.conversations import MessageModel
from liveagent.ids import parse_iso, utc_now
from liveagent.settings import BusinessHours
from liveagent.tenants import load_settings
from liveagent.tickets import REASON_ORDER, TicketModel

SLA_TARGET_SECONDS = 3600  # "aim for under 1 hour response time"
TOP_UNANSWERED = 5
ALWAYS_OPEN = BusinessHours()
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class DailyStatsModel(Model):
    """Per tenant and day: how many customer messages the bot answered and how many escalated.
    Kept in the Tenants table under "<tenant>#stats#<YYYY-MM-DD>" (single-table)."""

    class Meta:
        table_name = config.table_name("TENANTS_TABLE")
        region = config.region()

    tenant_id = UnicodeAttribute(hash_key=True)
    answered = NumberAttribute(default=0)
    escalated = NumberAttribute(default=0)


def _still_unanswered(tenant_id: str, tickets: list) -> list[dict]:
    # Imported here: the detection service imports this module (the per-day decision counters).
    from liveagent.detection.service import still_unanswered

    return still_unanswered(tenant_id, tickets)


def _stats_key(tenant_id: str, day: str) -> str:
    return f"{tenant_id}#stats#{day}"


def record_decision(message: MessageModel, escalated: bool) -> bool:
    """Keep the bot's decision on the customer message and count it for the day, in one transaction,
    once: a detect step run twice (Express is at-least-once) finds the decision there and counts
    nothing. Returns False when it was already recorded."""
    day = message.at[:10]
    field = DailyStatsModel.escalated if escalated else DailyStatsModel.answered
    try:
        _record(message, "escalate" if escalated else "answer", field, _stats_key(message.tenant_id, day))
    except TransactWriteError as exc:
        if not storage.failed_conditions(exc):
            raise
        return False
    return True


@storage.retry_on_conflict
def _record(message: MessageModel, decision: str, field: NumberAttribute, stats_key: str) -> None:
    with TransactWrite(connection=storage.transaction_connection()) as transaction:
        transaction.update(
            message,
            actions=[MessageModel.decision.set(decision)],
            condition=MessageModel.decision.does_not_exist(),
        )
        transaction.update(DailyStatsModel(stats_key), actions=[field.add(1)])


def ulid_floor(moment: datetime) -> str:
    """The smallest ULID at or after `moment` (for key-range queries on time-ordered ids)."""
    value = int(moment.timestamp() * 1000)
    chars = []
    for _ in range(10):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars)) + "0" * 16


def _percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (p90 of 10 values is the 9th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)], 1)


def summarize(
    tickets: list[TicketModel],
    answered: int,
    escalated: int,
    target: int = SLA_TARGET_SECONDS,
    hours: BusinessHours | None = None,
) -> dict:
    """Pure: the summary of a period from its tickets and decision counts. First-response times count
    only opening hours when the tenant has them (the SLA is about the team's working time)."""
    first_responses = [
        open_seconds_between(hours or ALWAYS_OPEN, parse_iso(t.created_at), parse_iso(t.first_response_at))
        for t in tickets
        if t.first_response_at
    ]
    by_reason = Counter(t.reason for t in tickets)
    rated = sum(1 for t in tickets if t.satisfaction)
    by_status = Counter(t.status for t in tickets)
    decisions = answered + escalated
    return {
        "tickets": len(tickets),
        "by_reason": {reason: by_reason.get(reason, 0) for reason in REASON_ORDER},
        "by_status": {status: by_status.get(status, 0) for status in ("requested", "answered", "closed")},
        "by_department": dict(Counter(t.department or "none" for t in tickets)),
        "escalation_rate": round(escalated / decisions, 4) if decisions else 0.0,
        "bot_answered": answered,
        "bot_escalated": escalated,
        "median_first_response_seconds": round(statistics.median(first_responses), 1)
        if first_responses
        else None,
        "p90_first_response_seconds": _percentile(first_responses, 0.9),
        "sla": {
            "target_seconds": target,
            "business_hours": bool(hours and (hours.hours is not None or hours.holidays)),
            "met_ratio": round(sum(1 for s in first_responses if s <= target) / len(first_responses), 4)
            if first_responses
            else None,
        },
        "per_agent": _per_agent(tickets),
        "satisfaction": {
            "responses": sum(1 for t in tickets if t.satisfaction),
            "good_ratio": round(sum(1 for t in tickets if t.satisfaction == "good") / rated, 4)
            if rated
            else None,
        },
    }


def _per_agent(tickets: list[TicketModel]) -> dict[str, dict]:
    """Per assignee: tickets, how many are closed, and their median first response (seconds)."""
    mine: dict[str, list[TicketModel]] = {}
    for ticket in tickets:
        if ticket.assignee:
            mine.setdefault(ticket.assignee, []).append(ticket)
    result: dict[str, dict] = {}
    for agent, own in sorted(mine.items()):
        waits = [
            (parse_iso(t.first_response_at) - parse_iso(t.created_at)).total_seconds()
            for t in own
            if t.first_response_at
        ]
        result[agent] = {
            "tickets": len(own),
            "closed": sum(1 for t in own if t.status == "closed"),
            "median_first_response_seconds": round(statistics.median(waits), 1) if waits else None,
        }
    return result


def summary(tenant_id: str, days: int, now: datetime | None = None) -> dict:
    end = now or utc_now()
    start = end - timedelta(days=days)
    tickets = list(TicketModel.query(tenant_id, TicketModel.ticket_id >= ulid_floor(start)))
    answered = escalated = 0
    for offset in range(days + 1):
        day = (start + timedelta(days=offset)).strftime("%Y-%m-%d")
        try:
            stats = DailyStatsModel.get(_stats_key(tenant_id, day))
        except DailyStatsModel.DoesNotExist:
            continue
        answered += int(stats.answered)
        escalated += int(stats.escalated)
    hours = load_settings(tenant_id).business_hours
    return {
        "days": days,
        **summarize(tickets, answered, escalated, hours=hours),
        "top_unanswered": _still_unanswered(tenant_id, tickets)[:TOP_UNANSWERED],
    }
