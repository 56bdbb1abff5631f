"""The escalation signals. Each returns a trigger dict (what fired, with its evidence) or None."""

from __future__ import annotations

import re

from liveagent.detection import sentiment
from liveagent.detection.text import fold, stem, tokens
from liveagent.settings import EscalationSettings

# Learned labels (`classifier`) fire at this probability, shifted by the tenant's sensitivity. A request
# for a person fires lower: the labels compete ("this is terrible, get me a human" is both), and bringing
# in a person is the product's first promise; in that lower band it must outweigh the question reading.
LABEL_THRESHOLD = 0.5
AGENT_REQUEST_THRESHOLD = 0.35
_SENSITIVITY_SHIFT = {"low": 0.15, "medium": 0.0, "high": -0.15}


def shifted(threshold: float, sensitivity: str) -> float:
    """Higher sensitivity lowers every trigger threshold: more messages reach a human."""
    return min(1.0, max(0.05, threshold + _SENSITIVITY_SHIFT[sensitivity]))


def required(minimum: float, sensitivity: str, scale: float = 1.0) -> float:
    """Higher sensitivity raises what the bot needs before it answers alone: more messages reach a human."""
    return round(min(1.0, max(0.0, minimum - scale * _SENSITIVITY_SHIFT[sensitivity])), 3)


def agent_request_threshold(settings: EscalationSettings) -> float:
    """The learned request for a person's probability from which it fires, for the tenant's sensitivity."""
    return shifted(AGENT_REQUEST_THRESHOLD, settings.sensitivity)


def agent_requested(text: str, settings: EscalationSettings, labels: dict[str, float]) -> dict | None:
    """The admin's own phrases (a rule: the product promises them), else the learned request for a person."""
    folded = fold(text)
    for phrase in settings.agent_request_phrases:
        if fold(phrase) in folded:
            return {"type": "agent_requested", "phrase": phrase}
    probability = labels["agent_request"]
    threshold = agent_request_threshold(settings)
    # Below LABEL_THRESHOLD the request must also outweigh the reading as a question: "is my son allowed
    # to sign up?" and "quiero cancelar mi membresía" lean a little toward a person and are questions.
    if probability >= threshold and (probability >= LABEL_THRESHOLD or probability > labels["question"]):
        return {"type": "agent_requested", "probability": probability, "threshold": threshold}
    return None


def complaint(
    text: str,
    settings: EscalationSettings,
    labels: dict[str, float],
    consult_model: bool = True,
    decided: bool = False,
    answer_confidence: float | None = None,
) -> dict | None:
    """A complaint or frustration aimed at the business, by the learned classifier. With
    SENTIMENT_PROVIDER=comprehend, Amazon Comprehend is a second opinion only where it can turn the
    decision: the classifier is below the threshold, does not read a plain question, and either the KB
    does not answer the message (`consult_model`) or the classifier leans that way; and never when the
    message escalates anyway for a reason a complaint does not outrank (`decided`). Paid calls only where
    they matter. `answer_confidence`: the KB answers the message this surely; the complaint must be surer.
    """
    if not settings.sentiment.enabled:
        return None
    score = labels["complaint"]
    evidence: dict = {"classifier": score}
    provider = "local"
    threshold = shifted(settings.sentiment.threshold, settings.sensitivity)
    # Comprehend can only turn the decision when the classifier is below the threshold and does not read
    # a plain question (Comprehend rates negativity, not its target): the one case it is asked about.
    can_turn_it = score < threshold and labels["question"] < 0.5
    leaning = score >= 0.2
    if sentiment.provider() == "comprehend" and not decided and can_turn_it and (consult_model or leaning):
        negative = sentiment.comprehend_negative(text, sentiment.guess_language(text))
        if negative is not None:
            provider = "comprehend"
            evidence["comprehend"] = round(negative, 3)
            score = max(score, round(negative, 3))
    if answer_confidence is not None and score <= answer_confidence:
        return None
    if score >= threshold:
        return {"type": "complaint", "score": round(score, 3), "threshold": threshold, "evidence": evidence,
                "provider": provider}  # fmt: skip
    return None


def keyword(text: str, settings: EscalationSettings) -> dict | None:
    """Always-escalate keywords: whole words, case/accents folded, any inflection (refund, refunds,
    refunded, refundable) by comparing Snowball stems; phrases match as stemmed word sequences."""
    stems = " " + " ".join(stem(t) for t in tokens(text)) + " "
    for word in settings.keywords:
        wanted = " ".join(stem(t) for t in tokens(word))
        if wanted and f" {wanted} " in stems:
            return {"type": "keyword", "keyword": word}
    return None


def complexity_score(text: str) -> float:
    words = tokens(text)
    requests = text.count("?") + len(
        re.findall(r"\b(also|another thing|and also|additionally)\b", fold(text))
    )
    length_part = max(0.0, (len(words) - 40) / 120)
    return round(min(1.0, 0.3 * max(0, requests - 1) + length_part), 3)


def complexity(text: str, settings: EscalationSettings) -> dict | None:
    if not settings.complexity.enabled:
        return None
    score = complexity_score(text)
    threshold = shifted(settings.complexity.threshold, settings.sensitivity)
    if score >= threshold:
        return {"type": "complexity", "score": score, "threshold": threshold}
    return None


def answer_rejected(text: str, history: list[dict], labels: dict[str, float]) -> dict | None:
    """The customer says the bot's last answer did not help (learned: "that's not what I asked")."""
    last_bot = next((h for h in reversed(history) if h.get("role") == "bot"), None)
    if last_bot and labels["rejection"] >= LABEL_THRESHOLD:
        return {"type": "answer_rejected", "probability": labels["rejection"],
                "previous_answer": last_bot.get("text", "")[:200]}  # fmt: skip
    return None


def repeated_question(text: str, history: list[dict]) -> dict | None:
    asked = [fold(h.get("text", "")).strip(" ?!.") for h in history if h.get("role") == "customer"]
    current = fold(text).strip(" ?!.")
    answered_before = any(h.get("role") == "bot" for h in history)
    if current and answered_before and current in asked:
        return {"type": "repeated_question"}
    return None
