"""`make eval-sets`: every labeled detection set in the repository, one row each, and the totals.

The sets are the two dev tenants (`tests/fixtures/eval`: the coffee roaster, and the bank in `clinc/`) and
every directory beside them that holds a `kb.json` and a `cases.jsonl` (the clothing holdout and the blind
sets). A blind set nobody has read yet holds a file named `UNREAD.md`: it is left out, and said so, because a
blind set is read once, on purpose, with `make eval-detection KB=... CASES=...` at the end of a detection
change (then its `UNREAD.md` file goes). The table is the one the README and the issue notes carry; the
totals (right decisions and wrong answers over all the sets) are how a change is judged across them.

Then the bank again with a third of its entries left out of its KB (three draws), their questions now
ones it cannot answer: a KB of close entries with gaps, where a question of a missing entry is near a
present one -- the neobank of issue 15's check (Banking77's 50 intents of 77), which the sets here lack.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from liveagent.detection.embeddings import SentenceEncoder
from liveagent.detection.evaluate import (
    CannotMeasure,
    MalformedInput,
    add_encoder_option,
    chosen_encoder,
    evaluate,
)

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests/fixtures/eval"
UNREAD = "UNREAD.md"
GAP_SEEDS = (1, 2, 3)
COLUMNS = (
    "decision_accuracy",
    "reason_accuracy",
    "kb_accuracy",
    "wrong_answer_rate",
    "false_escalation_rate",
)


# The two dev tenants: (name, KB, cases) under the sets' folder.
DEV_TENANTS = (
    ("coffee roaster (dev)", "kb.json", "detection_dev.jsonl"),
    ("bank (dev)", "clinc/bank_kb.json", "clinc/bank_dev.jsonl"),
)
BANK = DEV_TENANTS[1]


def every_set(root: Path) -> list[tuple[str, Path, Path, bool]]:
    """(name, KB, cases, unread) of every labeled set under `root`: the dev tenants, then each folder that
    holds a `kb.json` and a `cases.jsonl` (`corpus_check` keeps the corpus apart from all of them)."""
    found = [
        (name, root / kb, root / cases, False)
        for name, kb, cases in DEV_TENANTS
        if (root / kb).is_file() and (root / cases).is_file()
    ]
    for folder in sorted(path.parent for path in root.glob("*/cases.jsonl")):
        if (folder / "kb.json").is_file():
            found.append(
                (folder.name, folder / "kb.json", folder / "cases.jsonl", (folder / UNREAD).exists())
            )
    return found


def labeled_sets(root: Path) -> tuple[list[tuple[str, Path, Path]], list[str]]:
    """(name, KB, cases) of every set under `root` that may be read, and the names of the unread ones."""
    sets = every_set(root)
    return [(name, kb, cases) for name, kb, cases, unread in sets if not unread], [
        name for name, _, _, unread in sets if unread
    ]


def with_gaps(kb: Path, cases: Path, seed: int, encoder: SentenceEncoder | None = None) -> tuple[int, dict]:
    """The set with a third of its KB's entries left out (drawn with `seed`): their questions expect an
    escalation. Returns how many entries were left out and the metrics."""
    entries = json.loads(kb.read_text(encoding="utf-8"))
    ids = sorted(entry["id"] for entry in entries)
    gone = {str(i) for i in np.random.default_rng(seed).choice(ids, len(ids) // 3, replace=False)}
    with tempfile.TemporaryDirectory() as folder:
        kept_kb, relabeled = Path(folder) / "kb.json", Path(folder) / "cases.jsonl"
        kept_kb.write_text(json.dumps([e for e in entries if e["id"] not in gone]), encoding="utf-8")
        lines = []
        for line in cases.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            if case["expect"].get("kb_id") in gone:
                case["expect"] = {"escalate": True, "reasons": ["question_not_found"]}
            lines.append(json.dumps(case))
        relabeled.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return len(gone), evaluate(kept_kb, relabeled, encoder=encoder)


def table(root: Path, encoder: SentenceEncoder | None = None) -> list[str]:
    """The sets' rows and totals, read with the bundled encoder or `encoder` (`evaluate`'s)."""
    sets, unread = labeled_sets(root)
    lines = [
        "| set | cases | decision | reason | KB | wrong answers | false escalations |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    cases = right = wrong = 0
    for name, kb, case_file in sets:
        result = evaluate(kb, case_file, encoder=encoder)
        count = result["cases"]
        cases += count
        right += round(result["decision_accuracy"] * count)
        wrong += round(result["wrong_answer_rate"] * count)
        lines.append(f"| {name} | {count} | " + " | ".join(f"{result[c]:.4f}" for c in COLUMNS) + " |")
    lines.append(f"over {len(sets)} sets, {cases} cases: {right} right decisions, {wrong} wrong answers")
    if unread:
        lines.append(f"left out, unread: {', '.join(unread)}")
    name, bank_kb, bank_cases = BANK
    for seed in GAP_SEEDS if (root / bank_kb).is_file() and (root / bank_cases).is_file() else ():
        gone, result = with_gaps(root / bank_kb, root / bank_cases, seed, encoder)
        lines.append(
            f"{name} without {gone} of its entries (draw {seed}): decision "
            f"{result['decision_accuracy']:.4f}, KB {result['kb_accuracy']:.4f}, wrong answers "
            f"{result['wrong_answer_rate']:.4f}, missed escalations {result['missed_escalation_rate']:.4f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--root", type=Path, default=EVAL, help="the folder of the sets (default: %(default)s)"
    )
    add_encoder_option(parser)
    args = parser.parse_args(argv)
    try:
        print("\n".join(table(args.root, chosen_encoder(args.encoder))))
    except (MalformedInput, CannotMeasure, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
