"""The language a customer writes in, for what is said to them on the tenant's behalf (acknowledgement,
offline message) and for routing keywords per language.

A multinomial naive Bayes over hashed character 1-4-grams of the lower-cased text (accents kept: they
tell Spanish from Portuguese), trained by `make train-detection` (infra/detection/train_language.py) on
Django's translation catalogues and our written corpus (DATA_CARD.md), stored with safetensors. A text too
short to tell, or read with little confidence, has no language: the tenant's own is used.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).resolve().parent / "detection" / "models" / "language.safetensors"
BUCKETS = 16384
SIZES = (1, 2, 3, 4)
MIN_LETTERS = 8  # "ok", "hola", "merci": too short to tell
MIN_CONFIDENCE = 0.8


def ngram_counts(text: str) -> np.ndarray:
    counts = np.zeros(BUCKETS, dtype=np.float64)
    for word in "".join(c if c.isalpha() or c == "'" else " " for c in text.lower()).split():
        padded = f" {word} "
        for size in SIZES:
            for start in range(max(1, len(padded) - size + 1)):
                counts[zlib.crc32(padded[start : start + size].encode()) % BUCKETS] += 1.0
    return counts


@dataclass(frozen=True)
class Detected:
    language: str  # ISO 639-1: en, es, pt, fr, de, it, nl
    confidence: float


@cache
def _model() -> tuple[tuple[str, ...], np.ndarray, np.ndarray] | None:
    if not MODEL_FILE.is_file():
        return None
    from safetensors import safe_open

    with safe_open(str(MODEL_FILE), framework="numpy") as tensors:
        languages = tuple(tensors.metadata()["languages"].split(","))
        # Widened once here, not per message: the product is summed in float64.
        return (
            languages,
            tensors.get_tensor("log_prior"),
            tensors.get_tensor("log_likelihood").astype(np.float64),
        )


def scores(text: str) -> dict[str, float]:
    """Each language's posterior probability for the text (empty without the model)."""
    model = _model()
    if model is None:
        return {}
    languages, log_prior, log_likelihood = model
    joint = log_prior + log_likelihood @ ngram_counts(text)
    joint -= joint.max()
    probabilities = np.exp(joint) / np.exp(joint).sum()
    return {language: float(p) for language, p in zip(languages, probabilities, strict=True)}


def detect(text: str) -> Detected | None:
    """The text's language when it can be told, else None."""
    if sum(c.isalpha() for c in text) < MIN_LETTERS:
        return None
    posterior = scores(text)
    if not posterior:
        return None
    language = max(posterior, key=posterior.__getitem__)
    if posterior[language] < MIN_CONFIDENCE:
        return None
    return Detected(language, posterior[language])
