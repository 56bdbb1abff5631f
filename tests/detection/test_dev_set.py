"""Regression guard on the labeled development set (copied from shared/eval into tests/fixtures/eval).

The floors are the figures measured when this was written (issue 4); they only move up. The issue's
targets (decision 0.95, reason 0.92, kb 0.92, false escalations 0.05) are not met yet: see the README.
"""

from __future__ import annotations

from pathlib import Path

from liveagent.detection.evaluate import evaluate

EVAL = Path(__file__).resolve().parents[1] / "fixtures" / "eval"


def test_detection_on_the_development_set_does_not_regress() -> None:
    result = evaluate(EVAL / "kb.json", EVAL / "detection_dev.jsonl")
    assert result["cases"] == 110
    assert result["decision_accuracy"] >= 0.89
    assert result["reason_accuracy"] >= 0.89
    assert result["kb_accuracy"] >= 0.76
    assert result["false_escalation_rate"] <= 0.12
    assert result["missed_escalation_rate"] <= 0.11
