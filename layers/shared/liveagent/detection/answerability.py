"""Does the entry retrieval chose really answer the message? A calibrated probability.

A logistic regression over the fused reading (`knowledge_index.Reading`: cosine and its margin over the
next entry, how far the entry stands out of the whole KB, lexical confidence, coverage and margin, whether
both readings agree, ...). It is trained by `make train-detection` on knowledge bases assembled from
CLINC150 intents that neither dev tenant uses, where the questions of intents left out of the KB are the
ones it cannot answer; so "0.8" means that about 80% of answers given at 0.8 are right (the reliability
table in `make train-detection`'s report).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from liveagent.detection.knowledge_index import Reading

FEATURES = (
    "cosine",
    "cosine_margin",
    "meaning",
    "answer_cosine",
    "fused",
    "fused_margin",
    "lexical",
    "lexical_margin",
    "coverage",
    "similarity",
    "dense_top",
    "lexical_top",
    "qualifier_missing",
    "log_words",
    "cosine_x_lexical",
    "standing",
)


def features(reading: Reading, standing_centre: float) -> np.ndarray:
    """The model's input. `standing_centre`: the mean standing over training's readings, which a reading
    without one (a KB of fewer than three entries) takes: its standing then neither raises nor lowers
    its confidence."""
    return np.array(
        [
            reading.cosine,
            reading.cosine_margin,
            reading.meaning,
            reading.answer_cosine,
            reading.fused,
            reading.fused_margin,
            reading.lexical,
            reading.lexical_margin,
            reading.coverage,
            reading.similarity,
            float(reading.dense_top),
            float(reading.lexical_top),
            float(reading.qualifier_missing),
            math.log1p(reading.words),
            reading.cosine * reading.lexical,
            0.0 if reading.standing is None else reading.standing - standing_centre,
        ],
        dtype=np.float64,
    )


@cache
def _weights(encoder_name: str) -> tuple[np.ndarray, float, float] | None:
    from liveagent.detection.models import load_signals, signals_metadata

    tensors = load_signals(encoder_name)
    # A model trained on other features or without the mean standing (before `make train-detection`
    # caught up) is not used; a test holds the committed one to FEATURES.
    if (
        tensors is None
        or signals_metadata(encoder_name).get("answerability_features") != ",".join(FEATURES)
        or "answerability.standing_centre" not in tensors
    ):
        return None
    return (
        tensors["answerability.coef"].astype(np.float64),
        float(tensors["answerability.intercept"][0]),
        float(tensors["answerability.standing_centre"][0]),
    )


@cache
def entry_model_weights(encoder_name: str, model: str) -> np.ndarray | None:
    """The weights of one of the two models that rank a KB's entries -- "ranker" over
    `knowledge_index.RANK_FEATURES`, "chooser" over `CHOICE_FEATURES` -- or None where it is not trained
    (no ranker: retrieval refuses to run; no chooser: the ranker's entry is sent)."""
    from liveagent.detection.knowledge_index import CHOICE_FEATURES, RANK_FEATURES
    from liveagent.detection.models import load_signals, signals_metadata

    key, names = {
        "ranker": ("rank_features", RANK_FEATURES),
        "chooser": ("choice_features", CHOICE_FEATURES),
    }[model]
    tensors = load_signals(encoder_name)
    if tensors is None or signals_metadata(encoder_name).get(key) != ",".join(names):
        return None
    return tensors[f"{model}.coef"].astype(np.float32)


def answerability(reading: Reading, encoder_name: str) -> float:
    """P(the chosen entry answers the message). Without trained weights, the cosine (uncalibrated)."""
    weights = _weights(encoder_name)
    if weights is None:
        return max(0.0, reading.cosine)
    coef, intercept, standing_centre = weights
    return 1.0 / (1.0 + math.exp(-(float(features(reading, standing_centre) @ coef) + intercept)))
