"""The escalation signals. Each returns a trigger dict (what fired, with its evidence) or None."""

from __future__ import annotations

import re

from liveagent.detection.text import fold, tokens
from liveagent.settings import EscalationSettings

_WHO = (
    r"(human|humans|agent|agents|person|someone|somebody|representative|rep|operator|staff|manager|"
    r"supervisor|real person|live agent|live person|customer service|support team|agente|humano|persona|"
    r"asesor|operador|representante|atendente|pessoa|humain|conseiller|operateur|mensch\w*|mitarbeiter\w*|"
    r"berater\w*|operatore|umano)"
)
AGENT_REQUEST_PATTERNS = [
    # English: "can I talk to a human", "connect me with an agent", "I want a real person"
    rf"\b(speak|talk|chat|connect|transfer|put me through|get me|give me|need|want|like)\b"
    rf".{{0,30}}\b{_WHO}\b",
    # Spanish / Portuguese / French / German / Italian
    rf"\b(hablar|comunicarme|contactar|falar|conversar|parler|discuter|sprechen|reden|parlare)\b.{{0,30}}\b{_WHO}",
    r"\b(quiero|necesito|quero|preciso|je veux|ich mochte|ich will|voglio)\b.{0,20}\b(agente|humano|"
    r"atendente|humain|conseiller|mensch\w*|mitarbeiter\w*|operatore|persona real)",
]
# Short messages that are only a call for a person: "agent pls", "human!", "operator?"
_BARE_CALL = re.compile(r"^\W*(an? )?(human|agent|live agent|operator|representative|real person)\b")
_NEGATION = re.compile(
    r"\b(no need|don'?t need|do not need|dont want|don'?t want|do not want|not necessary|no necesito|"
    r"sin necesidad|nao preciso|pas besoin|brauche keinen|non serve)\b"
)

# Weighted negative lexicon (several languages); scores combine as 1 - prod(1 - w).
NEGATIVE_TERMS = {
    "terrible": 0.7,
    "horrible": 0.7,
    "awful": 0.7,
    "worst": 0.8,
    "unacceptable": 0.8,
    "ridiculous": 0.6,
    "disgusting": 0.7,
    "furious": 0.8,
    "angry": 0.6,
    "upset": 0.5,
    "frustrated": 0.6,
    "frustrating": 0.6,
    "annoyed": 0.5,
    "annoying": 0.5,
    "disappointed": 0.6,
    "disappointing": 0.6,
    "useless": 0.6,
    "scam": 0.8,
    "rip off": 0.7,
    "ripoff": 0.7,
    "waste": 0.45,
    "never again": 0.7,
    "fed up": 0.7,
    "sick of": 0.6,
    "pathetic": 0.7,
    "incompetent": 0.7,
    "rude": 0.6,
    "lied": 0.6,
    "hate": 0.6,
    "broken": 0.35,
    "damaged": 0.4,
    "still waiting": 0.5,
    "still not": 0.4,
    "nobody": 0.3,
    "wtf": 0.6,
    "pesimo": 0.8,
    "horrible servicio": 0.7,
    "enojado": 0.6,
    "molesto": 0.5,
    "estafa": 0.8,
    "decepcionado": 0.6,
    "pessimo": 0.8,
    "absurdo": 0.6,
    "inaceitavel": 0.8,
    "decepcionante": 0.6,
    "inacceptable": 0.8,
    "nul": 0.5,
    "furieux": 0.8,
    "decu": 0.6,
    "arnaque": 0.8,
    "unverschamt": 0.8,
    "katastrophe": 0.7,
    "enttauscht": 0.6,
    "argerlich": 0.5,
    "betrug": 0.8,
    "vergogna": 0.7,
    "inaccettabile": 0.8,
    "deluso": 0.6,
    "schifo": 0.8,
    "truffa": 0.8,
}
REJECTION_PATTERNS = re.compile(
    r"\b(doesn'?t help|does not help|didn'?t help|not helpful|not what i asked|that'?s not what|"
    r"didn'?t answer|did not answer|doesn'?t answer|wrong answer|that'?s wrong|not my question|"
    r"you'?re not understanding|you don'?t understand|no me sirve|no ayuda|nao ajuda|ca n'aide pas|"
    r"hilft nicht|non aiuta)\b"
)
_SENSITIVITY_SHIFT = {"low": 0.15, "medium": 0.0, "high": -0.15}


def shifted(threshold: float, sensitivity: str) -> float:
    """Higher sensitivity lowers every threshold: more messages reach a human."""
    return min(1.0, max(0.05, threshold + _SENSITIVITY_SHIFT[sensitivity]))


def agent_requested(text: str, settings: EscalationSettings) -> dict | None:
    folded = fold(text)
    if _NEGATION.search(folded):
        return None
    for phrase in settings.agent_request_phrases:
        if fold(phrase) in folded:
            return {"type": "agent_requested", "phrase": phrase}
    match = _BARE_CALL.search(folded) if len(tokens(folded)) <= 6 else None
    if match:
        return {"type": "agent_requested", "phrase": match.group(0).strip()}
    for pattern in AGENT_REQUEST_PATTERNS:
        match = re.search(pattern, folded)
        if match:
            return {"type": "agent_requested", "phrase": match.group(0)}
    return None


def negative_score(text: str) -> tuple[float, list[str]]:
    folded = fold(text)
    hits = [term for term in NEGATIVE_TERMS if re.search(rf"\b{re.escape(term)}\b", folded)]
    remaining = 1.0
    for term in hits:
        remaining *= 1 - NEGATIVE_TERMS[term]
    score = 1 - remaining
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        score = 1 - (1 - score) * 0.6  # shouting
    if "!!" in text:
        score = 1 - (1 - score) * 0.85
    return round(score, 3), hits


def complaint(text: str, settings: EscalationSettings) -> dict | None:
    if not settings.sentiment.enabled:
        return None
    score, hits = negative_score(text)
    threshold = shifted(settings.sentiment.threshold, settings.sensitivity)
    if score >= threshold and hits:
        return {
            "type": "complaint",
            "score": score,
            "threshold": threshold,
            "terms": hits,
            "provider": "local",
        }
    return None


def keyword(text: str, settings: EscalationSettings) -> dict | None:
    folded = fold(text)
    for word in settings.keywords:
        # Word boundary, case/accents folded, simple inflections: refund, refunds, refunded, refunding.
        if re.search(rf"\b{re.escape(fold(word))}(s|es|ed|d|ing)?\b", folded):
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


def answer_rejected(text: str, history: list[dict]) -> dict | None:
    last_bot = next((h for h in reversed(history) if h.get("role") == "bot"), None)
    if last_bot and REJECTION_PATTERNS.search(fold(text)):
        return {"type": "answer_rejected", "previous_answer": last_bot.get("text", "")[:200]}
    return None


def repeated_question(text: str, history: list[dict]) -> dict | None:
    asked = [fold(h.get("text", "")).strip(" ?!.") for h in history if h.get("role") == "customer"]
    current = fold(text).strip(" ?!.")
    answered_before = any(h.get("role") == "bot" for h in history)
    if current and answered_before and current in asked:
        return {"type": "repeated_question"}
    return None
