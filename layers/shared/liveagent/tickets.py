"""Support tickets: one per escalated conversation, from requested to answered to closed (Tickets table)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from liveagent import (
    config,
    storage,  # noqa: F401  (its table model shares one botocore session per thread)
)
from liveagent.errors import NotFound
from liveagent.ids import iso, now_iso, utc_now

OPEN_STATUSES = ("requested", "answered")
REASON_ORDER = ("agent_requested", "complaint", "custom_trigger", "question_not_found")


class ByStatus(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    tenant_status = UnicodeAttribute(hash_key=True)
    ticket_id = UnicodeAttribute(range_key=True)


class ByAssignee(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_assignee"
        projection = AllProjection()

    assignee_key = UnicodeAttribute(hash_key=True)
    ticket_id = UnicodeAttribute(range_key=True)


class Waiting(GlobalSecondaryIndex):
    class Meta:
        index_name = "waiting"
        projection = KeysOnlyProjection()

    waiting_key = UnicodeAttribute(hash_key=True)
    ticket_id = UnicodeAttribute(range_key=True)


class ByConversation(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_conversation"
        projection = IncludeProjection(
            ["status", "reason", "question", "created_at", "closed_at", "satisfaction", "assignee"]
        )

    conversation_id = UnicodeAttribute(hash_key=True)
    ticket_id = UnicodeAttribute(range_key=True)


class TicketModel(Model):
    class Meta:
        table_name = config.table_name("TICKETS_TABLE")
        region = config.region()

    tenant_id = UnicodeAttribute(hash_key=True)
    ticket_id = UnicodeAttribute(range_key=True)  # ULID: newest first by key
    tenant_status = UnicodeAttribute()  # "<tenant>#<status>"
    status = UnicodeAttribute(default="requested")
    reason = UnicodeAttribute()
    triggers = JSONAttribute(default=list)
    channel = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    customer_name = UnicodeAttribute(null=True)
    question = UnicodeAttribute(default="")
    department = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)  # the customer's, read from the escalating message (None: unsure)
    priority = UnicodeAttribute(default="normal")
    assignee = UnicodeAttribute(null=True)
    assignee_key = UnicodeAttribute(null=True)  # "<tenant>#<agent>" while assigned
    waiting_key = UnicodeAttribute(null=True)  # "<tenant>#<department>" while open and unassigned
    escalation_level = NumberAttribute(default=0)
    escalation_round = NumberAttribute(default=0)
    # Appended with DynamoDB list_append, so the workflow and agents never overwrite each other's entries.
    history = ListAttribute(default=list)  # [{"at", "level", "event", "to", ...}]
    assignment_audit = ListAttribute(default=list)
    task_token = UnicodeAttribute(null=True)
    token_assignee = UnicodeAttribute(null=True)  # whom the workflow's wait (task_token) waits on
    unattended = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    acknowledged_at = UnicodeAttribute(null=True)
    first_response_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    # Who wrote last decides "needs reply": the customer's latest message on the ticket, the latest agent
    # reply. Each only moves forward (conditional writes), so a retried write never turns it back.
    last_customer_at = UnicodeAttribute(null=True)
    last_agent_at = UnicodeAttribute(null=True)
    search_text = UnicodeAttribute(null=True)  # what the customer wrote on it, lower-cased (list search)
    # Who is writing a reply right now (the dashboard says so every few seconds while they type), so that
    # a second agent opening the ticket is warned before answering the same customer twice.
    replying_by = UnicodeAttribute(null=True)
    replying_until = UnicodeAttribute(null=True)
    satisfaction = UnicodeAttribute(null=True)  # "good" | "bad", the customer's answer after closing
    expires_at = NumberAttribute(null=True)
    by_status = ByStatus()
    by_assignee = ByAssignee()
    waiting = Waiting()
    by_conversation = ByConversation()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def needs_reply(self) -> bool:
        """Open, and the customer wrote last (a ticket from before these marks: until its first reply)."""
        if not self.is_open:
            return False
        customer = self.last_customer_at or self.created_at
        return not self.last_agent_at or customer > self.last_agent_at

    def to_api(self) -> dict:
        return {
            "id": self.ticket_id,
            "status": self.status,
            "reason": self.reason,
            "triggers": self.triggers or [],
            "channel": self.channel,
            "customer": {"id": self.customer_id, "name": self.customer_name},
            "question": self.question,
            "department": self.department,
            "language": self.language,
            "priority": self.priority,
            "assignee": self.assignee,
            "escalation": {
                "level": int(self.escalation_level),
                "unattended": bool(self.unattended),
                "history": self.history or [],
            },
            "assignment_audit": self.assignment_audit or [],
            "created_at": self.created_at,
            "acknowledged_at": self.acknowledged_at,
            "first_response_at": self.first_response_at,
            "closed_at": self.closed_at,
            "satisfaction": self.satisfaction,
            "needs_reply": self.needs_reply,
            "last_customer_at": self.last_customer_at or self.created_at,
            "last_agent_at": self.last_agent_at,
        }


def is_ticket_id(value: str) -> bool:
    return len(value) == 26 and all(c in "0123456789ABCDEFGHJKMNPQRSTVWXYZ" for c in value)


def primary_reason(reasons: list[str]) -> str:
    return min(reasons, key=REASON_ORDER.index)


def history_entry(level: int, event: str, to: str | None = None, **extra: object) -> dict:
    return {"at": now_iso(), "level": level, "event": event, "to": to, **extra}


def get_ticket(tenant_id: str, ticket_id: str) -> TicketModel:
    """Read consistently: the lifecycle decides on what it reads."""
    try:
        return TicketModel.get(tenant_id, ticket_id, consistent_read=True)
    except TicketModel.DoesNotExist as exc:
        raise NotFound(f"ticket '{ticket_id}' not found") from exc


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None
    assignee: str | None = None
    department: str | None = None
    reason: str | None = None
    channel: str | None = None
    customer: str | None = None  # text search in the customer's name or id and what they wrote (any case)
    include_closed: bool = True  # the API's default list leaves closed (archived) tickets out


def _start_key(tenant_id: str, cursor: str | None, **index_key: str) -> dict | None:
    """A cursor is the last returned ticket id; DynamoDB's start key adds the index's own key."""
    if not cursor:
        return None
    key = {"tenant_id": tenant_id, "ticket_id": cursor, **index_key}
    return {name: {"S": value} for name, value in key.items()}


def list_tickets(
    tenant_id: str, *, status: str | None = None, assignee: str | None = None, limit: int = 50
) -> list[TicketModel]:
    return page_tickets(tenant_id, TicketFilter(status=status, assignee=assignee), limit)[0]


def page_tickets(
    tenant_id: str, where: TicketFilter, limit: int = 50, cursor: str | None = None
) -> tuple[list[TicketModel], str | None]:
    """One page of tickets, newest first, and the cursor for the next page (None at the end).

    Reads the narrowest index (assignee, else status, else the tenant's tickets) and filters the rest
    server-side; the cursor is the last ticket id returned, so filtered pages never skip tickets."""
    clauses = [(TicketModel.department, where.department), (TicketModel.reason, where.reason),
               (TicketModel.channel, where.channel)]  # fmt: skip
    if where.assignee:  # the assignee index is narrower than status: status becomes a filter
        index_key, read = {"assignee_key": f"{tenant_id}#{where.assignee}"}, TicketModel.by_assignee.query
        clauses.append((TicketModel.status, where.status))
    elif where.status:
        index_key, read = {"tenant_status": f"{tenant_id}#{where.status}"}, TicketModel.by_status.query
    else:
        index_key, read = {}, TicketModel.query
    condition = None if where.include_closed or where.status else TicketModel.status != "closed"
    for attribute, value in clauses:
        if value:
            condition = attribute == value if condition is None else condition & (attribute == value)
    results = read(
        next(iter(index_key.values()), tenant_id),
        filter_condition=condition,
        scan_index_forward=False,
        last_evaluated_key=_start_key(tenant_id, cursor, **index_key),
    )
    needle = (where.customer or "").lower()
    page: list[TicketModel] = []
    for ticket in results:
        haystack = (
            f"{ticket.customer_name or ''} {ticket.customer_id} {ticket.search_text or ticket.question}"
        )
        if needle and needle not in haystack.lower():
            continue
        page.append(ticket)
        if len(page) == limit:
            break
    more = len(page) == limit and next(iter(results), None) is not None
    return page, (page[-1].ticket_id if more else None)


def customer_tickets(conversation_id: str, limit: int = 10) -> list[TicketModel]:
    """The customer's tickets in this conversation, newest first (index projection: summary fields)."""
    return list(TicketModel.by_conversation.query(conversation_id, scan_index_forward=False, limit=limit))


REPLYING_SECONDS = 20


def mark_replying(ticket: TicketModel, agent_id: str) -> None:
    """`agent_id` is writing a reply on the ticket for the next REPLYING_SECONDS."""
    until = iso(utc_now() + timedelta(seconds=REPLYING_SECONDS))
    ticket.update(actions=[TicketModel.replying_by.set(agent_id), TicketModel.replying_until.set(until)])
    ticket.replying_by, ticket.replying_until = agent_id, until


def replying_other_than(ticket: TicketModel, agent_id: str) -> str | None:
    """Who else is writing a reply on the ticket now, if anyone."""
    if not ticket.replying_by or ticket.replying_by == agent_id or not ticket.replying_until:
        return None
    return ticket.replying_by if ticket.replying_until > now_iso() else None


@dataclass(frozen=True)
class TicketCounts:
    by_status: dict[str, int]
    more: dict[str, bool]  # counted up to the cap: there are more
    needs_reply: int  # open tickets whose customer wrote last, among the filtered
    mine_needs_reply: int  # ... of those, assigned to `me`


COUNT_CAP = {"requested": 1000, "answered": 1000, "closed": 200}


def count_tickets(tenant_id: str, where: TicketFilter, me: str) -> TicketCounts:
    """How many tickets each status tab holds under the list's filters, in one call (the dashboard polls
    it). Open tickets are few (the team's capacity and the queue) and counted whole; closed ones are
    archived and counted up to a cap."""
    by_status, more, needs, mine = {}, {}, 0, 0
    for status, cap in COUNT_CAP.items():
        page, next_cursor = page_tickets(tenant_id, replace(where, status=status), cap)
        by_status[status], more[status] = len(page), next_cursor is not None
        waiting = [t for t in page if t.needs_reply]
        needs += len(waiting)
        mine += sum(t.assignee == me for t in waiting)
    return TicketCounts(by_status, more, needs, mine)


def history_action(entry: dict):
    """An update action appending one entry atomically (list_append)."""
    return TicketModel.history.set(TicketModel.history.append([entry]))


def append_history(ticket: TicketModel, entry: dict) -> None:
    ticket.update(actions=[history_action(entry)])
