"""The Comprehend path, its failure and the fallback to the local analyzer (botocore Stubber)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from liveagent.detection import sentiment, signals
from liveagent.settings import EscalationSettings

SETTINGS = EscalationSettings()


@pytest.fixture
def comprehend(monkeypatch):
    monkeypatch.setenv("SENTIMENT_PROVIDER", "comprehend")
    client = sentiment._comprehend()
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def _language(stub: Stubber, code: str = "en") -> None:
    stub.add_response("detect_dominant_language", {"Languages": [{"LanguageCode": code, "Score": 0.99}]})


def test_comprehend_negative_score_decides_the_complaint(comprehend) -> None:
    _language(comprehend)
    comprehend.add_response(
        "detect_sentiment",
        {
            "Sentiment": "NEGATIVE",
            "SentimentScore": {"Positive": 0.01, "Negative": 0.93, "Neutral": 0.05, "Mixed": 0.01},
        },
        {"Text": "my order never came and your support ignores me", "LanguageCode": "en"},
    )
    trigger = signals.complaint("my order never came and your support ignores me", SETTINGS)
    assert trigger["provider"] == "comprehend" and trigger["score"] == 0.93


def test_comprehend_neutral_is_not_a_complaint(comprehend) -> None:
    _language(comprehend, "es")
    comprehend.add_response(
        "detect_sentiment",
        {
            "Sentiment": "NEUTRAL",
            "SentimentScore": {"Positive": 0.1, "Negative": 0.05, "Neutral": 0.85, "Mixed": 0.0},
        },
    )
    assert signals.complaint("¿dónde está mi pedido?", SETTINGS) is None


def test_comprehend_failure_falls_back_to_the_local_analyzer(comprehend) -> None:
    comprehend.add_client_error(
        "detect_dominant_language", service_error_code="ThrottlingException", http_status_code=400
    )
    trigger = signals.complaint("This is unacceptable, the worst service ever!!", SETTINGS)
    assert trigger["provider"] == "local" and trigger["score"] >= trigger["threshold"]
