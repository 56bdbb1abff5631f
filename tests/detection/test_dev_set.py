"""Detection on the labeled development sets (copied from shared/eval into tests/fixtures/eval).

Issue 15's targets on both dev tenants: decision 0.95, reason 0.92, KB 0.92, wrong answers at most 2%.
They are NOT all met yet (issue 15 is open): the floors below are the figures measured with the learned
models less 0.01, so a change that makes detection worse fails here. Measured 2026-12-03 (afternoon),
after the glossary learned how customers ask to be put through and a follow-up the answer just sent does
not cover was read against the other entries:
  coffee roaster: decision 0.9455, reason 0.9107, KB 0.9302, wrong answers 0.0364, missed 0.0536
  bank (CLINC150 validation): decision 0.9581, reason 0.9825, KB 0.8977, wrong answers 0.0225
  (that morning: coffee 0.9273 / 0.9107 / 0.9070 / 0.0273; 2026-12-02: coffee 0.9364 / 0.8929 / 0.8837 /
  0.0455, bank 0.9581 / 0.9775 / 0.8958 / 0.0235). Coffee's wrong answers went from 3 to 4 of 110: "nvm
  found my tracking number in the app, no need for an agent" no longer reads as a request for a person and
  is answered with the tracking entry, where the label wants small talk.
2026-12-04 (seventh session), once the classifier reads emoji as words ("classy 🙃" -> "classy sarcastic")
and learned 30 corpus lines with them: coffee 0.9364 / 0.9107 / 0.9302 / 0.0455, missed 0.0714 (one
problem report at the complaint threshold is answered with the shipping times); bank unchanged.
2026-12-04 (tenth session), once answerability reads how far the chosen entry stands out of the KB
(`knowledge_index.standing`) and learned that customers ask in the KB's own words: coffee unchanged; bank
0.9591 / 0.9800 / 0.9073, wrong answers 0.0204 (20 of 978, one more: "when is my flight expected to arrive"
gets the replacement card's delivery time at 0.37; two more answered right, one transfer escalates).
2026-12-04 (eleventh session), once a message that leans toward a person has its statements read apart for
the request (and the glossary and corpus grew): coffee 0.9273 / 0.9107 / 0.9302, wrong answers 0.0364 (4 of
110, one fewer): "nvm found my tracking number in the app, no need for an agent 👍" again goes to a person
(its statement "no need for an agent", read apart, is a request: the model does not read the negation)
rather than getting the tracking entry; bank 0.9581 / 0.9800 / 0.9054, wrong answers 0.0204: "i was in
target about to buy a chair when my card got declined" reads as a complaint (0.59 before, now just over the
0.6 threshold; a borderline reading that retraining moves either way).
2026-12-04 (twelfth session), once the corpus learned messages that decline a person: coffee 0.9364 /
0.9107 / 0.9302, wrong answers 0.0364 ("nvm found my tracking number in the app, no need for an agent 👍" is
small talk, as labelled: "no need for an agent" reads 0.02 as a request, 0.48 before); bank unchanged.
2026-12-04 (thirteenth session), once the corpus learned complaints about services: coffee unchanged; bank
0.9591 / 0.9800 / 0.9054, wrong answers 0.0215 (21 of 978: "was there a problem with my card yesterday"
reads 0.50 as a complaint, 0.65 before, and gets the damaged card's entry at 0.40).
2026-12-04 (fourteenth session), once the gloss learned the things and services of everyday trades: coffee
0.9455 / 0.9107 / 0.9302, wrong answers 0.0273 (3 of 110: "it says delivered yesterday but there's nothing
at my door or with the neighbors" reads as a complaint again, after the retrain, instead of getting the
shipping times); bank unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from liveagent.detection.evaluate import evaluate

EVAL = Path(__file__).resolve().parents[1] / "fixtures" / "eval"


@pytest.mark.parametrize(
    ("kb", "cases", "count", "floors"),
    [
        ("kb.json", "detection_dev.jsonl", 110,
         {"decision_accuracy": 0.935, "reason_accuracy": 0.900, "kb_accuracy": 0.920}),
        ("clinc/bank_kb.json", "clinc/bank_dev.jsonl", 978,
         {"decision_accuracy": 0.948, "reason_accuracy": 0.970, "kb_accuracy": 0.895}),
    ],
)  # fmt: skip
def test_detection_on_the_development_tenants(kb: str, cases: str, count: int, floors: dict) -> None:
    result = evaluate(EVAL / kb, EVAL / cases)
    assert result["cases"] == count
    for metric, floor in floors.items():
        assert result[metric] >= floor, (metric, result)
    assert result["wrong_answer_rate"] <= 0.05, result
    # Coffee: 3 of 56 until 2026-12-04; 4 of 56 since the classifier learned emoji ("it says delivered yesterday
    # but there's nothing at my door": complaint 0.62 -> 0.50 against the 0.6 threshold, with any retrain).
    assert result["missed_escalation_rate"] <= 0.075, result


HOLDOUT = EVAL / "holdout"


def test_detection_holds_on_a_second_kb_it_was_not_developed_on() -> None:
    # A clothing shop's KB and 20 cases written after the work on the rule-based detection (before the
    # learned models). Measured 2026-12-01: decision 0.85, KB 0.85 (rules: 0.95 / 1.0); 2026-12-03, with
    # messages in other languages read through their English gloss: 0.95 / 1.0.
    result = evaluate(HOLDOUT / "kb.json", HOLDOUT / "cases.jsonl")
    assert result["cases"] == 20
    assert result["decision_accuracy"] >= 0.90
    assert result["kb_accuracy"] >= 0.92
