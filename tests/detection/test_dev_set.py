"""The labeled development set (copied from shared/eval into tests/fixtures/eval) meets the issue's targets.

Targets: decision accuracy 0.95, reason accuracy 0.92, KB accuracy 0.92, false escalations at most 0.05.
Measured when this was written: 0.9727 / 0.9643 / 0.9302 / 0.0185 (missed escalations 0.0357).
"""

from __future__ import annotations

from pathlib import Path

from liveagent.detection.evaluate import evaluate

EVAL = Path(__file__).resolve().parents[1] / "fixtures" / "eval"


def test_detection_meets_the_targets_on_the_development_set() -> None:
    result = evaluate(EVAL / "kb.json", EVAL / "detection_dev.jsonl")
    assert result["cases"] == 110
    assert result["decision_accuracy"] >= 0.95
    assert result["reason_accuracy"] >= 0.92
    assert result["kb_accuracy"] >= 0.92
    assert result["false_escalation_rate"] <= 0.05
    assert result["missed_escalation_rate"] <= 0.05


HOLDOUT = EVAL / "holdout"


def test_detection_holds_on_a_second_kb_it_was_not_developed_on() -> None:
    # A clothing shop's KB and 20 cases written after the work on the development set, to catch
    # tuning to the coffee roaster's sentences. Measured when written: decision 0.95, KB 1.0.
    result = evaluate(HOLDOUT / "kb.json", HOLDOUT / "cases.jsonl")
    assert result["cases"] == 20
    assert result["decision_accuracy"] >= 0.9
    assert result["kb_accuracy"] >= 0.9
    assert result["false_escalation_rate"] <= 0.1
