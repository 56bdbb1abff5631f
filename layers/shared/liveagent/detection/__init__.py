"""Detection: for one customer message and its conversation, answer or escalate, and say why."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, Field

from liveagent.detection import signals
from liveagent.detection.knowledge_index import KbEntry, KbMatch, KnowledgeIndex, Retriever
from liveagent.detection.text import content_terms, fold
from liveagent.settings import EscalationSettings, Messages
from liveagent.tickets import TicketModel, primary_reason

_GREETING = re.compile(
    r"^\W*(hi|hello|hey|hiya|yo|good (morning|afternoon|evening|day)|hola|buenos dias|buenas|ola|oi|bom dia|"
    r"bonjour|salut|hallo|guten (tag|morgen)|ciao|buongiorno)\b[\w\s]{0,20}\W*$"
)
_THANKS = re.compile(
    r"^\W*(thanks?( you)?|thx|ty|cheers|gracias|obrigad[oa]|merci|danke|grazie|great|perfect|awesome|nice|"
    r"ok(ay)?|cool|got it|sounds good|understood|all good|that'?s (all|it|great|perfect|exactly))\b"
)
_FAREWELL = re.compile(
    r"^\W*(bye|goodbye|see (you|ya)|have a (good|nice|great)|take care|adios|tchau|ciao)\b"
)
_BOT_QUESTION = re.compile(
    r"\b(are you|is this|am i (talking|chatting) (to|with)) (a |an )?(bot|robot|ai|human|real)\b"
)
_COMPLIMENT = re.compile(
    r"\b(love|loving|enjoy(ed)?|amazing|delicious|great)\b.*\b(just wanted|btw|keep it up)\b"
)
_RESOLVED = re.compile(r"\b(nvm|never ?mind|found it|figured it out|all sorted|sorted now|no need)\b")
_WORD = re.compile(r"\w")
FOLLOW_UP_MAX_WORDS = 8
ANSWER_COVERS_FOLLOW_UP = 0.5  # share of a follow-up's terms the answer sent must mention to send it again


def small_talk(text: str) -> str | None:
    """Greetings, thanks, farewells, compliments and "is this a bot?": friendly, no human needed.
    Returns the kind, or None when the message asks for something."""
    folded = fold(text).strip()
    if not _WORD.search(folded):
        return "emoji"
    if _BOT_QUESTION.search(folded):
        return "bot_question"
    if "?" in folded:
        return None
    for kind, pattern in (("greeting", _GREETING), ("thanks", _THANKS), ("farewell", _FAREWELL),
                          ("compliment", _COMPLIMENT), ("resolved", _RESOLVED)):  # fmt: skip
        if pattern.search(folded) and len(folded.split()) <= 14:
            return kind
    return None


SMALL_TALK_REPLIES = {
    "thanks": "You're welcome! Anything else I can help with?",
    "farewell": "Thanks for stopping by. Have a great day!",
    "compliment": "That's lovely to hear, thank you! We'll pass it on to the team.",
    "bot_question": (
        "I'm the virtual assistant. I can answer most questions, and I can bring in a person from our team "
        "any time: just ask."
    ),
    "emoji": "😊",
    "resolved": "Glad it's sorted! I'm here if you need anything else.",
}


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

    threshold = signals.required(settings.kb_min_confidence, settings.sensitivity)
    min_coverage = signals.required(settings.kb_min_coverage, settings.sensitivity, scale=0.5)
    match = retriever.best(text)
    follow_up = _follow_up_query(text, history)
    if follow_up:
        # "and how fast is express?": also read it with the question before it; keep the better reading.
        contextual = retriever.best(follow_up)
        if contextual and (match is None or contextual.confidence > match.confidence):
            match = contextual
    confident = (
        match is not None
        and match.confidence >= threshold
        and match.coverage >= min_coverage
        and not match.uncovered_qualifiers
    )
    chat = small_talk(text)
    fire("agent_requested", signals.agent_requested(text, settings))
    # The paid sentiment model only where it can change the outcome: not for a question the KB answers,
    # small talk, or a request for a person (which outranks a complaint anyway).
    consult = not confident and not reasons and chat is None
    fire(
        "complaint",
        signals.complaint(
            text,
            settings,
            history,
            consult_model=consult,
            decided=bool(reasons),
            names_offer=retriever.mentions_offer(text),
        ),
    )
    fire("custom_trigger", signals.keyword(text, settings))
    fire("custom_trigger", signals.complexity(text, settings))
    fire("question_not_found", signals.answer_rejected(text, history))
    fire("question_not_found", signals.repeated_question(text, history))
    already_sent = _answer_already_sent(text, match, history, retriever) if confident and not chat else None
    if already_sent:
        # "it already shipped though, what happens now?": the entry the bot just sent again would not help.
        fire("question_not_found", already_sent)
    if confident and "complaint" in reasons and not _about_the_service(triggers):
        # "I hate dairy, what milks do you have?": negative words, but a question we can answer.
        reasons, triggers = _without(reasons, triggers, "complaint")
    if reasons:
        return Decision(escalate=True, reason=primary_reason(reasons), triggers=triggers)
    if chat:
        reply = (messages or Messages()).small_talk if chat == "greeting" else SMALL_TALK_REPLIES[chat]
        return Decision(escalate=False, answer=reply, triggers=[{"type": "small_talk", "kind": chat}])
    if confident:
        return Decision(
            escalate=False, kb_id=match.entry.id, answer=match.entry.answer, confidence=match.confidence
        )
    evidence: dict = {
        "type": "kb_miss",
        "best_confidence": match.confidence if match else 0.0,
        "threshold": threshold,
    }
    if match:
        evidence.update(closest_kb_id=match.entry.id, coverage=match.coverage, min_coverage=min_coverage)
        if match.uncovered_qualifiers:
            evidence["not_in_entry"] = list(match.uncovered_qualifiers)
    return Decision(escalate=True, reason="question_not_found", triggers=[evidence])


def group_similar(questions: list[tuple[str, str, str]], min_overlap: float = 0.5) -> list[dict]:
    """Group (question, ticket_id, seen_at) by stemmed content-term overlap (Jaccard), most asked first:
    "Do you sell gift cards?" and "gift cards, do you sell them" land together."""
    groups: list[tuple[set[str], dict]] = []
    for question, ticket_id, seen_at in sorted(questions, key=lambda q: q[2]):
        terms = set(content_terms(question)) or {question.lower()}
        similar = next((g for g in groups if len(terms & g[0]) / len(terms | g[0]) >= min_overlap), None)
        if similar is None:
            similar = (set(), {"question": question, "count": 0, "ticket_ids": [], "last_seen": ""})
            groups.append(similar)
        similar[0].update(terms)
        group = similar[1]
        group["count"] += 1
        group["ticket_ids"].append(ticket_id)
        group["last_seen"] = max(group["last_seen"], seen_at)
    return sorted((g for _, g in groups), key=lambda g: (-g["count"], g["last_seen"]))


def unanswered_questions(tickets: Iterable[TicketModel]) -> list[dict]:
    """The questions that escalated because the KB had no answer, similar ones grouped (group_similar)."""
    return group_similar(
        [
            (t.question, t.ticket_id, t.created_at)
            for t in tickets
            if t.reason == "question_not_found" and t.question
        ]
    )


def _about_the_service(triggers: list[dict]) -> bool:
    complaint = next(t for t in triggers if t["type"] == "complaint")
    return bool(set(complaint.get("cues", [])) & {"frustration", "sarcasm", "shouting", "directed"})


def _without(reasons: list[str], triggers: list[dict], reason: str) -> tuple[list[str], list[dict]]:
    kept = [(r, t) for r, t in zip(reasons, triggers, strict=True) if r != reason]
    return [r for r, _ in kept], [t for _, t in kept]


def _answer_already_sent(
    text: str, match: KbMatch | None, history: list[dict], retriever: Retriever
) -> dict | None:
    """The customer follows up on the answer the bot just sent with something that answer does not say."""
    last_bot = next((h.get("text", "") for h in reversed(history) if h.get("role") == "bot"), None)
    if match is None or not last_bot or retriever.entry_for_answer(last_bot) != match.entry.id:
        return None
    in_answer = retriever.answer_coverage(match.entry.id, text)
    if in_answer >= ANSWER_COVERS_FOLLOW_UP:
        return None
    return {
        "type": "answer_already_sent",
        "kb_id": match.entry.id,
        "follow_up_in_answer": round(in_answer, 3),
    }


def _follow_up_query(text: str, history: list[dict]) -> str | None:
    previous = next((h.get("text", "") for h in reversed(history) if h.get("role") == "customer"), None)
    if previous and len(text.split()) <= FOLLOW_UP_MAX_WORDS:
        return f"{previous} {text}"
    return None


__all__ = ["Decision", "KbEntry", "KnowledgeIndex", "detect"]
