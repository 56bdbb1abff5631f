"""The detect step of the message workflow: load the message and its conversation, then decide."""

from __future__ import annotations

import time

from liveagent import analytics, conversations, escalation, knowledge, lifecycle, tenants, tickets
from liveagent.detection import Decision, KbEntry, KnowledgeIndex, detect
from liveagent.detection.bedrock import EncoderUnavailable, hosted_encoder
from liveagent.observability import metrics
from liveagent.workflow import DetectResult

_INDEX_TTL_SECONDS = 30.0
_indexes: dict[str, tuple[float, KnowledgeIndex, KnowledgeIndex | None]] = {}


def retriever_for(tenant_id: str) -> KnowledgeIndex:
    return _retrievers(tenant_id)[0]


def _retrievers(tenant_id: str) -> tuple[KnowledgeIndex, KnowledgeIndex | None]:
    """The tenant's KB index on the bundled encoder, and on the hosted one when configured (Bedrock),
    cached in the warm Lambda; rebuilt after a KB write here, or after 30 s."""
    cached = _indexes.get(tenant_id)
    if cached and time.monotonic() - cached[0] < _INDEX_TTL_SECONDS:
        return cached[1], cached[2]
    items = knowledge.live_entries(tenant_id)  # proposals wait for an admin

    def entry(e: knowledge.KnowledgeModel, hosted: bool) -> KbEntry:
        vectors = (
            (e.hosted_embedding, e.hosted_embedding_model) if hosted else (e.embedding, e.embedding_model)
        )
        return KbEntry(e.entry_id, e.question, tuple(e.alternates or []), e.answer, *vectors)

    local = KnowledgeIndex([entry(e, hosted=False) for e in items])
    hosted = None
    encoder = hosted_encoder()
    if encoder is not None:
        try:
            hosted = KnowledgeIndex([entry(e, hosted=True) for e in items], encoder=encoder)
        except EncoderUnavailable:
            hosted = None  # entries it has not embedded yet, and Bedrock down: the local index alone
    _indexes[tenant_id] = (time.monotonic(), local, hosted)
    return local, hosted


def still_unanswered(tenant_id: str, tickets: list) -> list[dict]:
    """The tenant's unanswered questions (grouped), leaving out the ones its KB answers now."""
    from liveagent.detection import signals, unanswered_questions

    settings = tenants.load_settings(tenant_id).escalation
    index = retriever_for(tenant_id)
    threshold = signals.required(settings.kb_min_confidence, settings.sensitivity)

    def answered_now(question: str) -> bool:
        match = index.best(question)
        return match is not None and match.confidence >= threshold and not match.uncovered_qualifiers

    sources = frozenset(e.source_ticket_id for e in knowledge.live_entries(tenant_id) if e.source_ticket_id)
    return unanswered_questions(tickets, answered_now, sources)


def suggested_entries(tenant_id: str, text: str, k: int = 3) -> list[knowledge.KnowledgeModel]:
    """The tenant's live KB entries closest to what the customer asked, best first."""
    ids = retriever_for(tenant_id).closest(text, k)
    by_id = {e.entry_id: e for e in knowledge.entries(tenant_id)}
    return [by_id[i] for i in ids if i in by_id]


def forget_index(tenant_id: str) -> None:
    _indexes.pop(tenant_id, None)


def preview(tenant_id: str, text: str, history: list[dict]) -> Decision:
    settings = tenants.load_settings(tenant_id)
    local, hosted = _retrievers(tenant_id)
    if hosted is not None:
        return detect(text, history, settings.escalation, hosted, settings.messages, fallback=local)
    return detect(text, history, settings.escalation, local, settings.messages)


def detect_message(tenant_id: str, conversation_id: str, message_key: str) -> DetectResult:
    conversation = conversations.get_conversation(conversation_id)
    message = conversations.get_message(conversation_id, message_key)
    if message.payload and message.payload.startswith("csat:"):
        # Imported here: ticket actions bring the Graph API client (requests), which no other message
        # on this path needs -- a third of this function's cold start.
        from liveagent.ticket_actions import record_satisfaction

        rated = record_satisfaction(conversation_id, message.payload)
        if rated:
            return DetectResult(decision="rated", ticket_id=rated)
    if conversation.open_ticket_id == lifecycle.ticket_id_for(message):
        # The message that opened the open ticket, run again (a redelivery): the same escalation, so the
        # steps after it (idempotent) finish whatever the first run left undone.
        ticket = tickets.get_ticket(tenant_id, conversation.open_ticket_id)
        return DetectResult(
            decision="escalate", escalate=True, reason=ticket.reason, triggers=ticket.triggers
        )
    if conversation.open_ticket_id:
        ticket_id = escalation.join_open_ticket(conversation, message)
        if ticket_id:
            metrics.add_metric(name="JoinedTicket", unit="Count", value=1)
            return DetectResult(decision="joined", ticket_id=ticket_id)
    past = [
        {"role": m.sender, "text": m.text}
        for m in conversations.history(conversation_id, limit=20)
        if m.message_key != message_key
    ]
    decision = preview(tenant_id, message.text, past)
    if analytics.record_decision(message, decision.escalate):  # once per message, however often it runs
        metrics.add_metric(name="Escalated" if decision.escalate else "Answered", unit="Count", value=1)
    # The classifier's labels stay out of the workflow's typed payload; the triggers carry the evidence.
    fields = decision.model_dump(exclude={"labels"})
    return DetectResult(decision="escalate" if decision.escalate else "answer", **fields)
