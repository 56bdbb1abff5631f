"""Outbound pieces that need no network: text splitting, retry classification, throughput limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liveagent.channels.graph import TokenBucket, describe_error, retryable
from liveagent.channels.split import INSTAGRAM_MAX_BYTES, WHATSAPP_MAX_CHARS, split_text


def test_short_text_is_one_piece() -> None:
    assert split_text("  Hello there.  ", WHATSAPP_MAX_CHARS) == ["Hello there."]


def test_long_text_splits_on_sentences_then_words_in_order() -> None:
    sentences = [f"Sentence number {i} is here." for i in range(400)]
    text = " ".join(sentences)
    pieces = split_text(text, WHATSAPP_MAX_CHARS)
    assert len(pieces) > 1 and all(len(p) <= WHATSAPP_MAX_CHARS for p in pieces)
    assert all(p.endswith(".") for p in pieces)  # cut after a sentence
    assert " ".join(pieces) == text


def test_instagram_limit_is_in_utf8_bytes() -> None:
    text = "café " * 300  # 6 bytes per word with the space
    pieces = split_text(text, INSTAGRAM_MAX_BYTES, "bytes")
    assert all(len(p.encode()) <= INSTAGRAM_MAX_BYTES for p in pieces)
    assert " ".join(pieces) == text.strip()


@given(st.text(min_size=1, max_size=3000), st.integers(min_value=20, max_value=400))
def test_splitting_never_loses_or_reorders_words(text: str, limit: int) -> None:
    pieces = split_text(text, limit, "bytes")
    assert all(len(p.encode()) <= limit for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_meta_errors_are_mapped_with_code_and_details() -> None:
    body = {"error": {"message": "(#131026) Message undeliverable", "code": 131026,
                      "error_data": {"details": "Receiver is incapable of receiving this message"}}}  # fmt: skip
    code, message = describe_error(400, body)
    assert code == 131026
    assert message == (
        "Graph API error 400 (code 131026): (#131026) Message undeliverable: "
        "Receiver is incapable of receiving this message"
    )


@pytest.mark.parametrize(
    ("status", "code", "retry"),
    [(503, None, True), (500, 2, True), (429, None, True), (400, 130429, True), (400, 131056, True),
     (400, 80007, True), (400, 131026, False), (400, 131047, False), (400, 100, False), (401, 190, False)],
)  # fmt: skip
def test_only_what_can_succeed_later_is_retried(status: int, code: int | None, retry: bool) -> None:
    assert retryable(status, code) is retry


def test_token_bucket_holds_a_sender_to_its_rate() -> None:
    bucket = TokenBucket(rate=50.0, capacity=2.0)
    waits = [bucket.take() for _ in range(4)]
    assert waits[:2] == [0.0, 0.0]  # the burst
    assert waits[2] > 0 and waits[3] > 0  # then one token per 1/50 s


def test_the_bot_never_uses_the_human_agent_tag() -> None:
    from liveagent.channels.outbound import build_request
    from liveagent.conversations import ConversationModel
    from liveagent.errors import WindowClosed

    conversation = ConversationModel(
        "c", channel="instagram", customer_id="IGSID-1", tenant_id="t", account_id="a"
    )
    tagged = build_request(conversation, sender="agent", mode="human_agent_tag", text="hi")
    assert tagged["tag"] == "HUMAN_AGENT"
    with pytest.raises(WindowClosed):
        build_request(conversation, sender="bot", mode="human_agent_tag", text="hi")
    assert "tag" not in build_request(conversation, sender="bot", mode="open", text="hi")
