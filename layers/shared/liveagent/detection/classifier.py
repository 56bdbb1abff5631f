"""What a message does, learned from data: asks for a person, complains, rejects the bot's answer, small
talk (greeting, thanks, farewell, compliment, "are you a bot?", "never mind"), or asks something.

A multinomial logistic regression over the message's sentence embedding, hashed character n-grams (which
carry the languages the English encoder reads poorly: "mag ik een medewerker spreken", and typos: "hooman")
and a few shape features (shouting, repeated "!"). Trained by `make train-detection` on the corpus in
`data/detection` (CLINC150 plus examples written in seven languages; DATA_CARD.md).
"""

from __future__ import annotations

import re
import zlib
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from liveagent.detection.text import EMOJI, fold

LABELS = (
    "question",
    "agent_request",
    "complaint",
    "rejection",
    "greeting",
    "thanks",
    "farewell",
    "compliment",
    "bot_question",
    "resolved",
)
SMALL_TALK = frozenset({"greeting", "thanks", "farewell", "compliment", "bot_question", "resolved"})
TELLING = frozenset({"compliment", "resolved"})  # small talk that tells, never asks
EMOJI_FILE = Path(__file__).resolve().parent / "models" / "emoji.tsv"
# An emoji with its presentation selector and skin tone, if any ("❤️", "👍🏽").
_EMOJI = re.compile(rf"([{EMOJI}])[\ufe0f\U0001F3FB-\U0001F3FF]*")
NGRAM_BUCKETS = 4096
NGRAM_SIZES = (2, 3, 4, 5)


@cache
def _emoji_words() -> dict[str, str]:
    return dict(line.split("\t") for line in EMOJI_FILE.read_text(encoding="utf-8").splitlines())


def as_read(text: str) -> str:
    """The message as the classifier reads it: each emoji it knows (`models/emoji.tsv`) by the words of its
    everyday sense in a chat ("classy 🙃" -> "classy sarcastic"). The sentence encoder and the n-grams read
    no emoji, and on WhatsApp and Instagram they often carry the tone."""
    if text.isascii():
        return text
    words = _emoji_words()
    read = _EMOJI.sub(lambda m: f" {words[m.group(1)]} " if m.group(1) in words else m.group(), text)
    return " ".join(read.split()) if read != text else text


def char_ngrams(text: str) -> np.ndarray:
    """Hashed character n-grams of the folded text, within word boundaries, L2-normalised."""
    buckets = [bucket for word in fold(text).split() for bucket in _word_buckets(word)]
    counts = np.log1p(np.bincount(buckets, minlength=NGRAM_BUCKETS).astype(np.float32))
    norm = float(np.linalg.norm(counts))
    return counts / norm if norm else counts


# Words repeat across messages (as the tokenizer's word pieces). Up to 1.5 KB a word: 8,192 words of a warm
# function's recent messages stay near 12 MB.
@lru_cache(maxsize=8192)
def _word_buckets(word: str) -> tuple[int, ...]:
    padded = f" {word} "
    return tuple(
        zlib.crc32(padded[start : start + size].encode()) % NGRAM_BUCKETS
        for size in NGRAM_SIZES
        for start in range(max(1, len(padded) - size + 1))
    )


def shape(text: str) -> np.ndarray:
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters) / len(letters) if len(letters) >= 8 else 0.0
    return np.array(
        [upper, float("!!" in text or "??" in text), float("?" in text), min(len(text.split()), 40) / 40],
        dtype=np.float32,
    )


def message_features(text: str, vector: np.ndarray) -> np.ndarray:
    return np.concatenate([vector.astype(np.float32), char_ngrams(text), shape(text)])


@cache
def _weights(encoder_name: str) -> tuple[np.ndarray, np.ndarray] | None:
    from liveagent.detection.models import load_signals, signals_metadata

    tensors = load_signals(encoder_name)
    if tensors is None or signals_metadata(encoder_name).get("labels") != ",".join(LABELS):
        return None
    return tensors["classifier.coef"].astype(np.float32), tensors["classifier.intercept"].astype(np.float32)


def classify(text: str, vector: np.ndarray, encoder_name: str) -> dict[str, float]:
    """P(label) for each of LABELS, by the model trained on this encoder's vectors."""
    weights = _weights(encoder_name)
    if weights is None:
        raise RuntimeError("the message classifier is not trained: run `make train-detection`")
    coef, intercept = weights
    probabilities = softmax(coef @ message_features(text, vector) + intercept)
    return {label: round(float(p), 4) for label, p in zip(LABELS, probabilities, strict=True)}


def softmax(logits: np.ndarray) -> np.ndarray:
    """The labels' probabilities from their logits (the last axis: one message, or a row per message)."""
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)
