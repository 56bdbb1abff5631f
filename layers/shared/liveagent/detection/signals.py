"""The escalation signals. Each returns a trigger dict (what fired, with its evidence) or None."""

from __future__ import annotations

import re
from functools import cache

from liveagent.detection import sentiment
from liveagent.detection.text import fold, stem, tokens
from liveagent.settings import EscalationSettings

_WHO = (
    r"(human|humans|human being|agent|agents|person|someone|somebody|anyone|representative|rep|operator|"
    r"staff|manager|supervisor|real person|actual person|live agent|live person|customer service|"
    r"customer support|support team|agente|humano|persona|alguien|asesor|operador|representante|atendente|"
    r"pessoa|alguem|humain|conseiller|operateur|quelqu'?un|service client|mensch\w*|mitarbeiter\w*|"
    r"berater\w*|jemand\w*|operatore|umano|qualcuno)"
)
AGENT_REQUEST_PATTERNS = [
    # English: "can I talk to a human", "connect me with an agent", "I want a real person"
    rf"\b(speak|talk|chat|connect|transfer|put me through|get me|give me|need|want|like)\b"
    rf".{{0,30}}\b{_WHO}\b",
    # Spanish / Portuguese / French / German / Italian
    rf"\b(hablar|comunicarme|contactar|falar|conversar|parler|discuter|sprechen|reden|parlare)\b.{{0,30}}\b{_WHO}",
    r"\b(quiero|necesito|quero|preciso|je veux|ich mochte|ich will|voglio)\b.{0,20}\b(agente|humano|"
    r"atendente|humain|conseiller|mensch\w*|mitarbeiter\w*|operatore|persona real)",
    # Object first (German, and "a person I could chat with", "someone ... give me a call")
    rf"\b{_WHO}\b.{{0,40}}\b(sprechen|reden|chat|talk|speak|call me|give me a call|ring me|contact me)\b",
    r"\b(enough with|tired of|stop) (the )?(bot|automated|robot)",
]
# Words that carry a request for a person, for typo-tolerant matching ("humna", "persn", "trasnfer").
_KEY_WORDS = (
    "human",
    "person",
    "agent",
    "representative",
    "transfer",
    "operator",
    "someone",
    "somebody",
    "speak",
)
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
    r"\b(tried (that|it|this)|(didn'?t|doesn'?t|does not|did not) work|never (arrives|arrived|came|comes)|"
    r"doesn'?t help|does not help|didn'?t help|not helpful|not what i asked|that'?s not what|"
    r"didn'?t answer|did not answer|doesn'?t answer|wrong answer|that'?s wrong|not my question|"
    r"you'?re not understanding|you don'?t understand|no me sirve|no ayuda|nao ajuda|ca n'aide pas|"
    r"hilft nicht|non aiuta)\b"
)
_SENSITIVITY_SHIFT = {"low": 0.15, "medium": 0.0, "high": -0.15}


def shifted(threshold: float, sensitivity: str) -> float:
    """Higher sensitivity lowers every trigger threshold: more messages reach a human."""
    return min(1.0, max(0.05, threshold + _SENSITIVITY_SHIFT[sensitivity]))


def required(minimum: float, sensitivity: str, scale: float = 1.0) -> float:
    """Higher sensitivity raises what the bot needs before it answers alone: more messages reach a human."""
    return round(min(1.0, max(0.0, minimum - scale * _SENSITIVITY_SHIFT[sensitivity])), 3)


def _correct_typos(folded: str) -> str:
    """Replace near-misses of the key words ("humna" -> "human") so the patterns see them."""
    from rapidfuzz import fuzz, process

    words = []
    for word in folded.split():
        core = word.strip(".,!?;:")
        if len(core) >= 4 and core not in _KEY_WORDS:
            match = process.extractOne(core, _KEY_WORDS, scorer=fuzz.ratio, score_cutoff=80)
            if match:
                word = word.replace(core, match[0])
        words.append(word)
    return " ".join(words)


def agent_requested(text: str, settings: EscalationSettings) -> dict | None:
    folded = _correct_typos(fold(text))
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


FRUSTRATION_PATTERNS = {
    r"\bnobody (is|has|had|was|ever|even)\b": 0.45,
    r"\b(zero|no) (replies|reply|response|answer)\b": 0.45,
    r"\b(second|third|fourth) (time|month|week)\b": 0.4,
    r"\bagain\b": 0.25,
    r"\bstill (not|no|nothing|waiting|haven'?t|hasn'?t)\b": 0.35,
    r"\bi'?m (done|through) with\b": 0.6,
    r"\b(gone|going) (so far )?downhill\b": 0.55,
    r"\b(undrinkable|inedible|unusable)\b": 0.6,
    r"\bwrong (order|item|size|product|box|colou?r|model)\b": 0.45,
    r"\bcharged (me )?(twice|two times|three times|3 times|again)\b": 0.45,
    r"\bdoes anyone (there )?(even )?(check|care|read)\b": 0.5,
    r"\b(absurd|absurdo|ridicule|lacherlich)\b": 0.5,
    r"\b(rota|roto|quebrado|quebrada|kaputt|casse)\b": 0.35,
}
# Praise used for the opposite ("oh great, ... just perfect", "amazing service guys 👏").
SARCASM_PATTERNS = (
    r"\boh (great|perfect|wonderful|brilliant)\b",
    r"\bjust (perfect|great|wonderful|brilliant)\b",
    r"\b(amazing|great|awesome|fantastic) (service|job|work)\b.*(\U0001f44f|!)",
    r"\bthanks for nothing\b",
    r"'[a-z ]+'.*\b(amazing|great|wonderful|fantastic)\b",
)
# Negativity only counts as a complaint when it is about us, not about the customer's morning.
_ABOUT_US = re.compile(
    r"\b(you|your|you'?re|ur|order|ordered|box|delivery|delivered|shipping|package|app|website|"
    r"service|support|staff|charged|charge|refund|subscription|store|shop|company|experience|"
    r"got|received|arrived|sent me|pedido|servico|encomenda|commande|bestellung|ordine)\b"
    r"|'[a-z ]+'"  # scare quotes around what we sold them: "the 'premium' one"
)


_DIRECTED = re.compile(r"\byour\b|'[a-z ]+'")


@cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def negative_score(text: str) -> tuple[float, list[str], set[str]]:
    """Negativity in [0, 1] with the evidence: lexicon terms, frustration and sarcasm cues, shouting,
    and VADER's compound score for English."""
    folded = fold(text)
    hits = [term for term in NEGATIVE_TERMS if re.search(rf"\b{re.escape(term)}\b", folded)]
    weights = [NEGATIVE_TERMS[t] for t in hits]
    cues = {"lexicon"} if hits else set()
    for pattern, weight in FRUSTRATION_PATTERNS.items():
        match = re.search(pattern, folded)
        if match:
            hits.append(match.group(0))
            weights.append(weight)
            cues.add("frustration")
    for pattern in SARCASM_PATTERNS:
        match = re.search(pattern, folded)
        if match:
            hits.append(f"sarcasm: {match.group(0)[:40]}")
            weights.append(0.6)
            cues.add("sarcasm")
    compound = _vader().polarity_scores(text)["compound"]
    if compound < -0.3:
        hits.append(f"vader {compound}")
        weights.append(min(0.6, -compound * 0.7))
        cues.add("vader")
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        hits.append("shouting")
        weights.append(0.4)
        cues.add("shouting")
    if "!!" in text or "??" in text:
        weights.append(0.15)
    remaining = 1.0
    for weight in weights:
        remaining *= 1 - weight
    return round(1 - remaining, 3), hits, cues


def complaint(
    text: str,
    settings: EscalationSettings,
    history: list[dict] | None = None,
    consult_model: bool = True,
    decided: bool = False,
    names_offer: bool = False,
) -> dict | None:
    """Negativity about us. With SENTIMENT_PROVIDER=comprehend, Amazon Comprehend scores the message when
    `consult_model` (the KB does not answer it) or the local analyzer already sees negativity, unless the
    message already escalates for a reason a complaint does not outrank (`decided`): paid calls only
    where the decision can turn on them. `names_offer`: the text names something of the tenant's own
    (its knowledge base's vocabulary), which makes the negativity about the business too."""
    if not settings.sentiment.enabled:
        return None
    score, hits, cues = negative_score(text)
    provider = "local"
    if sentiment.provider() == "comprehend" and not decided and (consult_model or hits):
        negative = sentiment.comprehend_negative(text, sentiment.guess_language(text))
        if negative is not None:
            provider = "comprehend"
            # Comprehend knows language; our cues still catch sarcasm and frustration it rates neutral.
            cues.add("comprehend")
            hits.append(f"comprehend {negative:.2f}")
            score = max(round(negative, 3), score if cues - {"lexicon", "vader", "comprehend"} else 0.0)
    threshold = shifted(settings.sentiment.threshold, settings.sensitivity)
    # Replying to our answer ("2-4 days lol. it's been 11"), the negativity is about us.
    replying_to_us = any(h.get("role") in ("bot", "agent") for h in (history or [])[-2:])
    if replying_to_us or _DIRECTED.search(fold(text)):
        cues.add(
            "directed"
        )  # aimed at us: "your shop", "the 'premium' one", or an answer to our last message
    if score >= threshold and hits and (replying_to_us or names_offer or _ABOUT_US.search(fold(text))):
        return {"type": "complaint", "score": score, "threshold": threshold, "terms": hits,
                "cues": sorted(cues), "provider": provider}  # fmt: skip
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
