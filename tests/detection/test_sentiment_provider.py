"""The Comprehend path, its failure and the fallback to the local analyzer (botocore Stubber)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from liveagent.detection import KbEntry, KnowledgeIndex, detect, sentiment, signals
from liveagent.settings import EscalationSettings

SETTINGS = EscalationSettings()


def labels(complaint: float, question: float) -> dict[str, float]:
    """The classifier's reading (a pure function's output), set here to test how Comprehend combines."""
    rest = (1.0 - complaint - question) / 8
    return {"question": question, "agent_request": rest, "complaint": complaint, "rejection": rest,
            "greeting": rest, "thanks": rest, "farewell": rest, "compliment": rest, "bot_question": rest,
            "resolved": rest}  # fmt: skip


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
    # The local analyzer misses this one; Comprehend does not. Language guessed locally: one paid call.
    comprehend.add_response(
        "detect_sentiment",
        {
            "Sentiment": "NEGATIVE",
            "SentimentScore": {"Positive": 0.01, "Negative": 0.93, "Neutral": 0.05, "Mixed": 0.01},
        },
        {"Text": "my order never came and your support ignores me", "LanguageCode": "en"},
    )
    trigger = signals.complaint("my order never came and your support ignores me", SETTINGS, labels(0.3, 0.4))
    assert trigger["provider"] == "comprehend" and trigger["score"] == 0.93


def test_comprehend_neutral_is_not_a_complaint(comprehend) -> None:
    comprehend.add_response(
        "detect_sentiment",
        {
            "Sentiment": "NEUTRAL",
            "SentimentScore": {"Positive": 0.1, "Negative": 0.05, "Neutral": 0.85, "Mixed": 0.0},
        },
        {"Text": "el pedido llegó tarde otra vez, qué mal", "LanguageCode": "es"},
    )
    assert signals.complaint("el pedido llegó tarde otra vez, qué mal", SETTINGS, labels(0.3, 0.4)) is None


def test_a_plain_question_never_reaches_comprehend(comprehend) -> None:
    # "I hate dairy, what milks do you have?": negative words, but the classifier reads a question, so
    # Comprehend (which rates negativity, not its target) could not turn it: no paid call (none stubbed).
    assert signals.complaint("I hate dairy, what milks do you have?", SETTINGS, labels(0.05, 0.9)) is None


def test_a_complaint_the_classifier_is_sure_of_needs_no_comprehend(comprehend) -> None:
    trigger = signals.complaint("This is unacceptable, the worst service ever!!", SETTINGS, labels(0.9, 0.05))
    assert trigger["provider"] == "local" and trigger["score"] == 0.9


def test_a_question_the_kb_answers_never_reaches_comprehend(comprehend) -> None:
    # No stubbed response: a call to Comprehend would fail this test (and cost a paid request).
    index = KnowledgeIndex(
        [
            KbEntry("kb-hours", "When are you open?", (), "9 to 5, seven days a week."),
            KbEntry("kb-shipping", "How long does delivery take?", (), "2-4 days."),
            KbEntry("kb-password", "How do I reset my password?", (), "Tap 'Forgot'."),
        ]
    )
    decision = detect("when are you open on sundays?", [], SETTINGS, index)
    assert not decision.escalate and decision.kb_id == "kb-hours"


def test_when_the_language_is_unclear_comprehend_detects_it(comprehend) -> None:
    _language(comprehend, "en")
    comprehend.add_response(
        "detect_sentiment",
        {
            "Sentiment": "NEGATIVE",
            "SentimentScore": {"Positive": 0.0, "Negative": 0.9, "Neutral": 0.1, "Mixed": 0.0},
        },
    )
    assert signals.complaint("ugh. 3 weeks. nothing.", SETTINGS, labels(0.3, 0.3))


def test_comprehend_failure_leaves_the_classifiers_reading(comprehend) -> None:
    comprehend.add_client_error(
        "detect_sentiment", service_error_code="ThrottlingException", http_status_code=400
    )
    assert signals.complaint("hmm, not sure about this", SETTINGS, labels(0.3, 0.3)) is None
    assert comprehend  # the call was made (and failed): the teardown checks no response is left
