"""Detection: for one customer message and its conversation, answer or escalate, and say why."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np
from pydantic import BaseModel, Field

from liveagent.detection import classifier, signals
from liveagent.detection.gloss import readable_text
from liveagent.detection.knowledge_index import (
    ENCODER_READS,
    KbEntry,
    KbMatch,
    KnowledgeIndex,
    Retriever,
    embed_entry,
)
from liveagent.detection.text import asks, clauses, content_terms, statements
from liveagent.settings import EscalationSettings, Messages
from liveagent.tickets import TicketModel, primary_reason

FOLLOW_UP_MAX_WORDS = 8
CLAUSE_LABELS = ("agent_request", "rejection")
AGENT_LEAN = 0.02  # a whole message this likely a request for a person has its statements read apart too
# The answer just sent is sent again only if it mentions more than this share of a follow-up's terms: "and can
# i print in colour?" after the printing answer asks half about what that answer does not say.
ANSWER_COVERS_FOLLOW_UP = 0.5
_WORD = re.compile(r"\w")


def small_talk(
    text: str, labels: dict[str, float], answer_confidence: float | None = None, *, asking: bool
) -> str | None:
    """Greetings, thanks, farewells, compliments, "is this a bot?" and "never mind": friendly, no human
    needed. The kind, by the learned classifier; a message of emoji alone is "emoji"; None otherwise.
    `answer_confidence`: the KB answers the message this surely; small talk must be surer (as a complaint:
    "sigh. forgot my password." reads a little as "never mind", and surely as the password entry)."""
    if not _WORD.search(text):
        return "emoji"
    # "cool cool, got it" is thanks or "resolved" by turns: small talk when the kinds together win.
    # A compliment and a "never mind" tell, they do not ask: a message that asks something (`asking`: "was my
    # order delivered", "vocês vendem ...?") is not one, however its words read.
    chat = {
        kind: p
        for kind, p in labels.items()
        if kind in classifier.SMALL_TALK and not (asking and kind in classifier.TELLING)
    }
    if sum(chat.values()) < max(signals.LABEL_THRESHOLD, answer_confidence or 0.0):
        return None
    return max(chat, key=chat.__getitem__)


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
    labels: dict[str, float] = Field(default_factory=dict)  # the classifier's reading of the message


def detect(
    text: str,
    history: list[dict],
    settings: EscalationSettings,
    retriever: Retriever,
    messages: Messages | None = None,
    fallback: Retriever | None = None,
) -> Decision:
    """Pure: the same inputs always give the same decision. `fallback` (the bundled model's index) reads
    the message when the retriever's hosted encoder fails (`bedrock.EncoderUnavailable`)."""
    if fallback is not None:
        from liveagent.detection.bedrock import EncoderUnavailable

        try:
            return detect(text, history, settings, retriever, messages)
        except EncoderUnavailable:
            return detect(text, history, settings, fallback, messages)
    triggers: list[dict] = []
    reasons: list[str] = []

    def fire(reason: str, trigger: dict | None) -> None:
        if trigger:
            triggers.append(trigger)
            reasons.append(reason)

    if retriever.encoder is None:
        raise RuntimeError("detection needs the sentence encoder: run `make models`")
    threshold = signals.required(settings.kb_min_confidence, settings.sensitivity)
    # One embedding of the message for the classifier and for retrieval by meaning: with its emoji read as
    # words ("new apartment 🎉 how do I ..." -> "new apartment celebrating how do I ..."), as the classifier
    # learned them. Retrieval by words reads the message as written.
    read = classifier.as_read(text)
    vector = _meaning(read, retriever)
    labels = classifier.classify(read, vector, retriever.encoder.name)
    asking = asks(text)
    # "that doesn't really answer it. can I talk to someone?": a clause that asks for a person (or rejects
    # the answer) counts even when the rest of the message reads otherwise. After an answer, a clause that
    # asks nothing is read for a rejection too ("i'm 25 miles away, that doesn't help").
    parts = [(part, CLAUSE_LABELS) for part in clauses(text)[:-1]]
    statement_labels = ("rejection",) if any(h.get("role") == "bot" for h in history) else ()
    if AGENT_LEAN <= labels["agent_request"] < signals.agent_request_threshold(settings):
        # "so annoyed, my parcel never came, let me talk to someone": a message that leans toward a person but
        # reads mostly as a complaint (0.04 against 0.90); its request, read on its own, is plain.
        statement_labels += ("agent_request",)
    if statement_labels:
        # Each statement read once, for every label it is read for.
        parts += [(part, statement_labels) for part in statements(text)]
    for part, read_for in parts:
        part_labels = _labels(part, retriever)
        for label in read_for:
            labels[label] = max(labels[label], part_labels[label])
    match = retriever.best(text, vector)
    follow_up = _follow_up_query(text, history)
    if follow_up:
        # "and how fast is express?": also read it with the question before it; keep the better reading.
        contextual = retriever.best(follow_up)
        if contextual and (match is None or contextual.confidence > match.confidence):
            match = contextual
    min_coverage = signals.required(settings.kb_min_coverage, settings.sensitivity, scale=0.5)

    def answers(match: KbMatch | None) -> bool:
        return (
            match is not None
            and match.confidence >= threshold
            and not match.uncovered_qualifiers
            # A lexical-only reading (a language the encoder cannot read) must also cover the message.
            and (match.reading is not None or match.coverage >= min_coverage)
        )

    sent = _entry_just_sent(history, retriever)
    outside_answer = _follow_up_outside_answer(text, match, sent, retriever)
    if outside_answer is not None:
        # "and how fast is express?" after the shipping costs were sent: the customer has that answer, so
        # what they ask now is another entry's question, if the KB holds one.
        other = retriever.best(follow_up or text, without=sent)
        if follow_up and other is not None:
            # Read with the question before it, the follow-up also carries that question's topic, which
            # another entry may share ("do you deliver cakes? and what about 25 km away?" is close to the
            # custom cakes): the other entry must also be the follow-up's own closest ("and how wide is the
            # biggest one?" is the sizes entry either way).
            alone = retriever.best(text, without=sent)
            if alone is None or alone.entry.id != other.entry.id:
                other = None
        if answers(other):
            match = other
    confident = answers(match)
    # Small talk and a complaint outrank an answer only when the classifier is surer of them than the KB is
    # of its answer (both calibrated probabilities) -- but never by the answer the bot has just sent: "ok,
    # got it" after it is read with it, and is small talk; "it's been 12 days and no text yet" after the
    # delivery times is a complaint about that answer, and sending it again would not help.
    outranked = match.confidence if confident and match is not None and match.entry.id != sent else None
    chat = small_talk(text, labels, outranked, asking=asking)
    fire("agent_requested", signals.agent_requested(text, settings, labels))
    # The paid sentiment model only where it can change the outcome: not for a question the KB answers,
    # small talk, or a request for a person (which outranks a complaint anyway).
    consult = not confident and not reasons and chat is None
    # A problem the KB answers ("target declined my card and i don't know why") reads negative too: the
    # complaint must outrank the answer (`outranked`, above). Only when the message asks something: an
    # upset customer who asks nothing ("ugh, declined twice today, so frustrating") is not answered with a
    # FAQ entry however sure the KB is of it, and goes to a person.
    already_sent = _answer_already_sent(outside_answer, match, sent) if confident and not chat else None
    fire(
        "complaint",
        signals.complaint(
            text,
            settings,
            labels,
            consult_model=consult,
            decided=bool(reasons),
            answer_confidence=outranked if asking else None,
        ),
    )
    fire("custom_trigger", signals.keyword(text, settings))
    fire("custom_trigger", signals.complexity(text, settings))
    fire("question_not_found", signals.answer_rejected(text, history, labels))
    fire("question_not_found", signals.repeated_question(text, history))
    if already_sent:
        # "it already shipped though, what happens now?": the entry the bot just sent again would not help.
        fire("question_not_found", already_sent)
    if reasons:
        return Decision(escalate=True, reason=primary_reason(reasons), triggers=triggers, labels=labels)
    if chat:
        reply = (messages or Messages()).small_talk if chat == "greeting" else SMALL_TALK_REPLIES[chat]
        return Decision(
            escalate=False, answer=reply, triggers=[{"type": "small_talk", "kind": chat}], labels=labels
        )
    if confident:
        return Decision(
            escalate=False,
            kb_id=match.entry.id,
            answer=match.entry.answer,
            confidence=match.confidence,
            labels=labels,
        )
    evidence: dict = {
        "type": "kb_miss",
        "best_confidence": match.confidence if match else 0.0,
        "threshold": threshold,
    }
    if match:
        evidence.update(closest_kb_id=match.entry.id, coverage=match.coverage)
        if match.reading:
            evidence["cosine"] = match.reading.cosine
        else:
            evidence["min_coverage"] = min_coverage
        if match.uncovered_qualifiers:
            evidence["not_in_entry"] = list(match.uncovered_qualifiers)
    return Decision(escalate=True, reason="question_not_found", triggers=[evidence], labels=labels)


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


def unanswered_questions(
    tickets: Iterable[TicketModel],
    answered_now: Callable[[str], bool] | None = None,
    sources: frozenset[str] = frozenset(),
) -> list[dict]:
    """The questions that escalated because the KB had no answer, similar ones grouped (group_similar),
    without those answered since: a ticket a KB entry was made from (`sources`), or a group whose question
    the KB answers now (`answered_now`, the detect step's own reading)."""
    groups = group_similar(
        [
            (t.question, t.ticket_id, t.created_at)
            for t in tickets
            if t.reason == "question_not_found" and t.question and t.ticket_id not in sources
        ]
    )
    return [g for g in groups if answered_now is None or not answered_now(g["question"])]


def _labels(text: str, retriever: Retriever) -> dict[str, float]:
    """The classifier's reading of a clause, with its emoji read as words (`classifier.as_read`)."""
    read = classifier.as_read(text)
    return classifier.classify(read, _meaning(read, retriever), retriever.encoder.name)


def _meaning(text: str, retriever: Retriever) -> np.ndarray:
    """The message's sentence embedding: of the message, or of its English gloss in a language the encoder
    cannot read (as the classifier was trained)."""
    readable = readable_text(text, retriever.encoder, ENCODER_READS, retriever.words)
    return retriever.encoder.encode([readable or text])[0]


def _entry_just_sent(history: list[dict], retriever: Retriever) -> str | None:
    """The KB entry whose answer is the bot's last message, if it is one."""
    last_bot = next((h.get("text", "") for h in reversed(history) if h.get("role") == "bot"), None)
    return retriever.entry_for_answer(last_bot) if last_bot else None


def _follow_up_outside_answer(
    text: str, match: KbMatch | None, sent: str | None, retriever: Retriever
) -> float | None:
    """When the message reads as the entry the bot just sent (`sent`, `_entry_just_sent`) and that answer
    mentions no more than ANSWER_COVERS_FOLLOW_UP of its terms: the share it mentions. Else None."""
    if match is None or sent is None or match.entry.id != sent:
        return None
    in_answer = retriever.answer_coverage(sent, text)
    return None if in_answer > ANSWER_COVERS_FOLLOW_UP else in_answer


def _answer_already_sent(
    outside_answer: float | None, match: KbMatch | None, sent: str | None
) -> dict | None:
    """The customer follows up on the answer the bot just sent with something that answer does not say
    (`_follow_up_outside_answer`), and no other entry answers it: the match is still that entry."""
    if outside_answer is None or match is None or match.entry.id != sent:
        return None
    return {"type": "answer_already_sent", "kb_id": sent, "follow_up_in_answer": round(outside_answer, 3)}


def _follow_up_query(text: str, history: list[dict]) -> str | None:
    previous = next((h.get("text", "") for h in reversed(history) if h.get("role") == "customer"), None)
    if previous and len(text.split()) <= FOLLOW_UP_MAX_WORDS:
        return f"{previous} {text}"
    return None


__all__ = ["Decision", "KbEntry", "KnowledgeIndex", "detect", "embed_entry"]
