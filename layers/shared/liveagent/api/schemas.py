"""Response models of the REST API: the OpenAPI spec's schemas, and checked on every response.

Open (`extra="allow"`) so an added field is not a breaking change; the fields listed are the contract.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ErrorBody(_Out):
    code: str
    message: str


class ErrorOut(_Out):
    error: ErrorBody


class PastTicket(_Out):
    id: str
    status: str
    reason: str
    question: str | None = None
    created_at: str
    closed_at: str | None = None
    satisfaction: str | None = None


class CustomerProfile(_Out):
    channel: str
    language: str | None = None
    last_message_at: str | None = Field(
        None, description="the customer's last message: the window opens from it"
    )
    past_tickets: list[PastTicket] = Field(
        description="their other tickets in this conversation, newest first"
    )


class Customer(_Out):
    id: str
    name: str | None = None


class Escalation(_Out):
    level: int
    unattended: bool
    history: list[dict[str, Any]]
    next_at: str | None = Field(None, description="when the next escalation level is told if nobody responds")


class TicketOut(_Out):
    id: str
    status: Literal["requested", "answered", "closed"]
    reason: str
    triggers: list[dict[str, Any]]
    channel: str
    customer: Customer
    question: str | None = None
    department: str | None = None
    priority: str | None = None
    assignee: str | None = None
    escalation: Escalation
    assignment_audit: list[dict[str, Any]]
    created_at: str
    acknowledged_at: str | None = None
    first_response_at: str | None = None
    closed_at: str | None = None
    satisfaction: str | None = None
    needs_reply: bool = Field(False, description="open, and the customer wrote last")
    last_customer_at: str | None = None
    last_agent_at: str | None = None


class MessageOut(_Out):
    id: str
    from_: str = Field(alias="from", description="customer, bot, agent or system")
    author: str | None = None
    kind: str | None = None
    text: str | None = None
    at: str
    delivery: str | None = Field(
        None, description="pending, unknown (the send was interrupted), sent, delivered, read or failed"
    )
    delivery_error: str | None = None
    resent_as: str | None = Field(None, description="a person resent it: the id of the new message")
    ticket_id: str | None = None
    note: bool | None = None
    deleted: bool


class TicketDetail(TicketOut):
    messages: list[MessageOut]
    customer_profile: CustomerProfile | None = Field(
        None, description="channel, language, window, past tickets"
    )
    replying: str | None = Field(None, description="another agent writing a reply right now (agent id)")


class TicketPage(_Out):
    items: list[TicketOut]
    next: str | None = Field(None, description="pass as `cursor` for the next page; null on the last page")


class TicketCountsOut(_Out):
    counts: dict[str, int] = Field(description="tickets per status under the filters")
    more: dict[str, bool] = Field(description="per status: counted up to a cap, there are more")
    needs_reply: int = Field(description="open tickets whose customer wrote last, under the filters")
    mine_needs_reply: int = Field(description="of those, assigned to the caller")


class NoteOut(_Out):
    id: str
    author: str
    text: str
    at: str
    kind: Literal["note", "handover"]


class NoteList(_Out):
    items: list[NoteOut]


class SuggestionOut(_Out):
    kb_id: str
    question: str
    answer: str


class SuggestionList(_Out):
    items: list[SuggestionOut]


class ReplyOut(MessageOut):
    parts: list[MessageOut] = Field(description="the channel messages sent, in order (long texts are split)")


class Notify(_Out):
    email: bool | None = None
    sms: bool | None = None
    in_app: bool | None = None


class AgentOut(_Out):
    id: str
    email: str | None = None
    name: str | None = None
    permission: Literal["admin", "agent"] | None = None
    departments: list[str]
    roles: list[str]
    capacity: int
    status: str | None = None
    open_tickets: int
    phone: str | None = None
    notify: Notify


class AgentList(_Out):
    items: list[AgentOut]


class TeamMemberOut(_Out):
    """What a colleague may see of a team member: who, whether they can take work, and how much they have
    (no phone number, no notification settings): other fields are dropped, not passed through."""

    model_config = ConfigDict(extra="ignore")

    id: str
    name: str | None = None
    email: str | None = None
    status: str | None = None
    departments: list[str]
    open_tickets: int
    capacity: int


class TeamDirectory(_Out):
    items: list[TeamMemberOut]


class MeOut(_Out):
    id: str
    email: str | None = None
    tenant_id: str
    permission: Literal["admin", "agent"]
    status: str | None = None


class KnowledgeEntryOut(_Out):
    id: str
    question: str
    alternates: list[str]
    answer: str
    source_ticket_id: str | None = None
    status: Literal["live", "proposed"] = Field("live", description="proposed: an agent's, not used yet")
    proposed_by: str | None = None
    approved_by: str | None = None
    updated_at: str | None = None


class KnowledgeList(_Out):
    items: list[KnowledgeEntryOut]


class UnansweredGroup(_Out):
    question: str
    count: int
    ticket_ids: list[str]
    last_seen: str


class UnansweredList(_Out):
    items: list[UnansweredGroup]


class Deleted(_Out):
    deleted: str


class NotificationOut(_Out):
    id: str
    kind: str
    title: str
    body: str | None = None
    ticket_id: str | None = None
    read: bool
    deliveries: dict[str, Any]
    created_at: str


class NotificationList(_Out):
    items: list[NotificationOut]
    unread: int


class NotificationTestOut(_Out):
    deliveries: dict[str, Any]
    sender_verified: bool | None = None
    email: str | None = None
    phone: str | None = None


class AuditEntry(_Out):
    at: str
    actor: str
    actor_email: str | None = None
    action: str
    target: str
    details: dict[str, Any]


class AuditList(_Out):
    items: list[AuditEntry]


class DecisionOut(_Out):
    escalate: bool
    reason: str | None = None
    triggers: list[dict[str, Any]]
    kb_id: str | None = None
    answer: str | None = None
    confidence: float | None = None


class Versioned(_Out):
    updated_at: str | None = None
    updated_by: str | None = None


class Health(_Out):
    status: Literal["ok"]


class SlaOut(_Out):
    target_seconds: float
    met_ratio: float | None = None
    business_hours: bool = False


class SatisfactionOut(_Out):
    responses: int
    good_ratio: float | None = None


class AnalyticsSummary(_Out):
    days: int
    tickets: int
    by_reason: dict[str, int]
    by_status: dict[str, int]
    by_department: dict[str, int]
    escalation_rate: float
    bot_answered: int
    bot_escalated: int = Field(
        0, description="the bot's decisions that went to a person (the rate's numerator)"
    )
    median_first_response_seconds: float | None = None
    p90_first_response_seconds: float | None = None
    sla: SlaOut
    per_agent: dict[str, Any]
    satisfaction: SatisfactionOut
    top_unanswered: list[UnansweredGroup] = Field(default_factory=list)


class DeliveryOut(_Out):
    id: str = Field(description="the delivery's id in /api/deliveries/{id}/...")
    message_id: str
    conversation_id: str
    channel: str
    customer: Customer
    from_: str = Field(alias="from", description="bot or agent")
    text: str
    at: str
    delivery: str = Field(description="failed, unknown, or pending (a send that died before it finished)")
    delivery_error: str | None = None
    ticket_id: str | None = None


class DeliveryList(_Out):
    items: list[DeliveryOut]
