"""Which sentiment analyzer scores negativity: Amazon Comprehend in AWS, the local analyzer offline and
as the fallback when Comprehend fails or throttles (SENTIMENT_PROVIDER = comprehend | local)."""

from __future__ import annotations

import os
from functools import cache

from botocore.exceptions import BotoCoreError, ClientError

from liveagent import config
from liveagent.observability import logger, metrics

COMPREHEND_LANGUAGES = {"en", "es", "fr", "de", "it", "pt", "ar", "hi", "ja", "ko", "zh", "zh-TW"}


@cache
def _comprehend():
    return config.fail_fast_client("comprehend")  # the local analyzer is always there to fall back on


def provider() -> str:
    return os.environ.get("SENTIMENT_PROVIDER", "local")


def comprehend_negative(text: str, language: str | None = None) -> float | None:
    """Comprehend's Negative score (0..1), or None when it cannot answer (the caller falls back)."""
    client = _comprehend()
    try:
        if not language:
            languages = client.detect_dominant_language(Text=text[:4500])["Languages"]
            language = max(languages, key=lambda entry: entry["Score"])["LanguageCode"] if languages else "en"
        if language not in COMPREHEND_LANGUAGES:
            return None
        result = client.detect_sentiment(Text=text[:4500], LanguageCode=language)
        return float(result["SentimentScore"]["Negative"])
    except (ClientError, BotoCoreError) as exc:
        metrics.add_metric(name="ComprehendFallback", unit="Count", value=1)
        logger.warning("Comprehend unavailable, using the local analyzer", extra={"error": str(exc)})
        return None


# Words that only (or mostly) one of our languages uses: enough to tell them apart in a chat message,
# and it saves a paid DetectDominantLanguage call per message.
_LANGUAGE_WORDS = {
    "en": {
        "the",
        "and",
        "is",
        "my",
        "you",
        "your",
        "it",
        "not",
        "what",
        "with",
        "this",
        "have",
        "me",
        "why",
        "i",
        "to",
        "want",
        "can",
        "how",
        "where",
        "when",
        "please",
        "need",
        "still",
        "been",
        "was",
        "of",
    },
    "es": {"el", "los", "las", "es", "mi", "por", "qué", "que", "con", "una", "está", "pero", "muy", "tengo"},
    "pt": {"não", "nao", "meu", "minha", "você", "voce", "com", "uma", "está", "mas", "muito", "tenho", "é"},
    "fr": {"le", "les", "est", "mon", "ma", "pas", "avec", "une", "mais", "très", "je", "vous", "c'est"},
    "de": {"der", "die", "das", "ist", "mein", "meine", "nicht", "mit", "und", "aber", "sehr", "ich", "sie"},
    "it": {"il", "è", "mio", "mia", "non", "con", "una", "ma", "molto", "sono", "perché", "che", "gli"},
}


def guess_language(text: str) -> str | None:
    """The language with most of its marker words in the text; None when there is no marker at all."""
    words = set(text.lower().replace("?", " ").replace("!", " ").replace(",", " ").split())
    scores = {code: len(words & markers) for code, markers in _LANGUAGE_WORDS.items()}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] else None
