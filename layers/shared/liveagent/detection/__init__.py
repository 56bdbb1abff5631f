"""Detection: for one customer message and its conversation, answer or escalate, and say why."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from liveagent.detection import signals
from liveagent.detection.knowledge_index import KbEntry, Retriever, TermOverlapIndex
from liveagent.detection.text import fold
from liveagent.settings import EscalationSettings, Messages
from liveagent.tickets import primary_reason

_GREETING = re.compile(
    r"^\W*(hi|hello|hey|hiya|good (morning|afternoon|evening)|hola|buenos dias|buenas|ola|oi|bonjour|salut|"
    r"hallo|guten tag|ciao|buongiorno)\W*(there|team)?\W*$"
)
_THANKS = re.compile(
    r"^\W*(thanks?( you)?( so much| a lot)?|thx|ty|cheers|gracias|obrigad[oa]|merci|danke|grazie|great|"
    r"perfect|ok(ay)?|cool)\W*[\w\s]{0,12}$"
)


class Decision(BaseModel):
    escalate: bool
    reason: str | None = None
    triggers: list[dict] = Field(default_factory=list)
    kb_id: str | None = None
    answer: str | None = None
    confidence: float | None = None


def detect(
    text: str,
    history: list[dict],
    settings: EscalationSettings,
    retriever: Retriever,
    messages: Messages | None = None,
) -> Decision:
    """Pure: the same inputs always give the same decision."""
    triggers: list[dict] = []
    reasons: list[str] = []

    def fire(reason: str, trigger: dict | None) -> None:
        if trigger:
            triggers.append(trigger)
            reasons.append(reason)

    fire("agent_requested", signals.agent_requested(text, settings))
    fire("complaint", signals.complaint(text, settings))
    fire("custom_trigger", signals.keyword(text, settings))
    fire("custom_trigger", signals.complexity(text, settings))
    fire("question_not_found", signals.answer_rejected(text, history))
    fire("question_not_found", signals.repeated_question(text, history))

    match = retriever.best(text)
    threshold = signals.shifted(settings.kb_min_confidence, settings.sensitivity)
    confident = match is not None and match.confidence >= threshold
    if reasons:
        return Decision(escalate=True, reason=primary_reason(reasons), triggers=triggers)
    if confident:
        return Decision(
            escalate=False, kb_id=match.entry.id, answer=match.entry.answer, confidence=match.confidence
        )
    folded = fold(text).strip()
    if _GREETING.match(folded) or _THANKS.match(folded):
        reply = (messages or Messages()).small_talk if _GREETING.match(folded) else "You're welcome!"
        return Decision(escalate=False, answer=reply)
    evidence = {
        "type": "kb_miss",
        "best_confidence": match.confidence if match else 0.0,
        "threshold": threshold,
    }
    if match:
        evidence["closest_kb_id"] = match.entry.id
    return Decision(escalate=True, reason="question_not_found", triggers=[evidence])


__all__ = ["Decision", "KbEntry", "TermOverlapIndex", "detect"]
