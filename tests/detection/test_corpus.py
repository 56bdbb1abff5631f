"""The training corpus never holds (near) copies of what detection is measured on."""

from __future__ import annotations

from infra.detection.corpus_check import too_close


def test_the_training_corpus_is_apart_from_the_measured_sets() -> None:
    assert too_close() == []
