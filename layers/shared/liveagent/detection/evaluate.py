"""`make eval-detection KB=... CASES=...`: the production detection code over a labeled case file.

Prints per-reason notes and, as its last line, one JSON object (CONTRACT.md section 7).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from liveagent.detection import KbEntry, KnowledgeIndex, detect
from liveagent.settings import EscalationSettings

EVAL_KEYWORDS = ["refund", "billing", "complaint"]


def load_kb(path: Path) -> KnowledgeIndex:
    entries = json.loads(path.read_text())
    return KnowledgeIndex(
        [KbEntry(e["id"], e["question"], tuple(e.get("alternates", [])), e["answer"]) for e in entries]
    )


def evaluate(kb_path: Path, cases_path: Path) -> dict:
    index = load_kb(kb_path)
    settings = EscalationSettings(keywords=EVAL_KEYWORDS)
    cases = [json.loads(line) for line in cases_path.read_text().splitlines() if line.strip()]
    correct = false_escalations = missed = reasons_ok = kb_ok = wrong_answers = 0
    expected_escalations = expected_answers = expected_kb = 0
    timings = []
    for case in cases:
        history = [{"role": h["role"], "text": h["text"]} for h in case.get("history", [])]
        started = time.perf_counter()
        decision = detect(case["text"], history, settings, index)
        timings.append((time.perf_counter() - started) * 1000)
        expect = case["expect"]
        # A wrong answer: the bot answered with another entry than the expected one, or answered from the
        # KB when a person was needed -- the bot stating something false.
        answered_from_kb = not decision.escalate and decision.kb_id is not None
        wrong_answers += answered_from_kb and (expect["escalate"] or decision.kb_id != expect.get("kb_id"))
        if expect["escalate"]:
            expected_escalations += 1
            missed += not decision.escalate
            reasons_ok += decision.escalate and decision.reason in expect.get("reasons", [])
        else:
            expected_answers += 1
            false_escalations += decision.escalate
        correct += decision.escalate == expect["escalate"]
        if not expect["escalate"] and expect.get("kb_id"):
            expected_kb += 1
            kb_ok += decision.kb_id == expect["kb_id"]
    return {
        "cases": len(cases),
        "decision_accuracy": round(correct / max(len(cases), 1), 4),
        "false_escalation_rate": round(false_escalations / max(expected_answers, 1), 4),
        "missed_escalation_rate": round(missed / max(expected_escalations, 1), 4),
        "reason_accuracy": round(reasons_ok / max(expected_escalations, 1), 4),
        "kb_accuracy": round(kb_ok / max(expected_kb, 1), 4),
        "wrong_answer_rate": round(wrong_answers / max(len(cases), 1), 4),
        "median_ms": round(statistics.median(timings), 3) if timings else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--cases", type=Path, required=True)
    args = parser.parse_args(argv)
    for path in (args.kb, args.cases):
        if not path.is_file():
            print(f"error: {path} is not a file", file=sys.stderr)
            return 2
    try:
        result = evaluate(args.kb, args.cases)
    except (ValueError, KeyError) as exc:
        print(f"error: malformed KB or case file: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
