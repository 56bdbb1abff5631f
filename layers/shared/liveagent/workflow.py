"""What the two workflows pass between their steps: typed, shared by the handlers and the ASL.

Each model is what one step returns and the next steps read by JSONPath (`$.step.result.timeout_seconds`):
a test reads every path the ASL files use and checks it names a field of the model at that place
(tests/test_workflow_contract.py), so the code and the definitions cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------ message workflow
class MessageInput(_Payload):
    """One customer message to handle (the inbound consumer starts the workflow with it)."""

    tenant_id: str
    conversation_id: str
    message_key: str


class DetectResult(_Payload):
    """$.detect.result: what the detect step decided (Decision's fields, for answer and escalate)."""

    decision: Literal["answer", "escalate", "joined", "rated"]
    ticket_id: str | None = None
    escalate: bool = False
    reason: str | None = None
    triggers: list[dict[str, Any]] = Field(default_factory=list)
    kb_id: str | None = None
    answer: str | None = None
    confidence: float | None = None


class OpenResult(_Payload):
    """$.opened.result: the ticket the escalating message opened (or joined), and the business hours."""

    ticket_id: str
    created: bool  # the message's own ticket (now or by an earlier attempt); False: it joined another
    open: bool = True  # inside business hours now
    opens_at: str | None = None  # when not: the next opening (ISO UTC)


# ------------------------------------------------------------------------------ escalation workflow
class EscalationInput(_Payload):
    """The Standard workflow's input (one execution per ticket, named after it)."""

    tenant_id: str
    ticket_id: str
    opens_at: str | None = None  # alerts and timers wait for the opening


Event = Literal["assigned", "queued", "closed", "exhausted", "escalated", "reassigned", "unattended"]


class StepState(_Payload):
    """$.step.result: where the ticket stands on its escalation ladder, after Assign or NextLevel."""

    closed: bool
    assigned: bool
    assignee: str | None = None
    level: int = 0
    round: int = 0
    timeout_seconds: int = Field(ge=1)
    targets: list[str] = Field(default_factory=list)
    event: Event
    exhausted: bool = False
    queued: bool = False  # open and nobody assigned: the workflow waits for capacity
    at: str | None = None  # when this position was reached (names its notifications, once)


WakeEvent = Literal["ack", "reply", "responded", "closed", "reassigned", "assigned", "capacity"]


class Wake(_Payload):
    """$.response: what a human (or the queue) answered the waiting workflow with (SendTaskSuccess)."""

    event: WakeEvent
