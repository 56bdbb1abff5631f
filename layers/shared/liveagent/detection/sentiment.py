"""Which sentiment analyzer scores negativity: Amazon Comprehend in AWS, the local analyzer offline and
as the fallback when Comprehend fails or throttles (SENTIMENT_PROVIDER = comprehend | local)."""

from __future__ import annotations

import os
from functools import cache

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from liveagent import config
from liveagent.observability import logger, metrics

COMPREHEND_LANGUAGES = {"en", "es", "fr", "de", "it", "pt", "ar", "hi", "ja", "ko", "zh", "zh-TW"}


@cache
def _comprehend():
    # Short timeouts, no retry storms: the local analyzer is always there to fall back on.
    return boto3.client(
        "comprehend",
        region_name=config.region(),
        config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}),
    )


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
