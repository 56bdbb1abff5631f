"""`make eval-sets`: every labeled detection set in the repository, one row each, and the totals.

The sets are the two dev tenants (`tests/fixtures/eval`: the coffee roaster, and the bank in `clinc/`) and
every directory beside them that holds a `kb.json` and a `cases.jsonl` (the clothing holdout and the blind
sets). A blind set nobody has read yet holds a file named `UNREAD.md`: it is left out, and said so, because a
blind set is read once, on purpose, with `make eval-detection KB=... CASES=...` at the end of a detection
change (then its `UNREAD.md` file goes). The table is the one the README and the issue notes carry; the
totals (right decisions and wrong answers over all the sets) are how a change is judged across them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from liveagent.detection.evaluate import MalformedInput, evaluate

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests/fixtures/eval"
UNREAD = "UNREAD.md"
COLUMNS = (
    "decision_accuracy",
    "reason_accuracy",
    "kb_accuracy",
    "wrong_answer_rate",
    "false_escalation_rate",
)


def labeled_sets(root: Path) -> tuple[list[tuple[str, Path, Path]], list[str]]:
    """(name, KB, cases) of every set under `root` that may be read, and the names of the unread ones."""
    found = [
        (name, root / kb, root / cases)
        for name, kb, cases in (
            ("coffee roaster (dev)", "kb.json", "detection_dev.jsonl"),
            ("bank (dev)", "clinc/bank_kb.json", "clinc/bank_dev.jsonl"),
        )
        if (root / kb).is_file() and (root / cases).is_file()
    ]
    unread = []
    for folder in sorted(path.parent for path in root.glob("*/cases.jsonl")):
        if not (folder / "kb.json").is_file():
            continue
        if (folder / UNREAD).exists():
            unread.append(folder.name)
        else:
            found.append((folder.name, folder / "kb.json", folder / "cases.jsonl"))
    return found, unread


def table(root: Path) -> list[str]:
    sets, unread = labeled_sets(root)
    lines = [
        "| set | cases | decision | reason | KB | wrong answers | false escalations |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    cases = right = wrong = 0
    for name, kb, case_file in sets:
        result = evaluate(kb, case_file)
        count = result["cases"]
        cases += count
        right += round(result["decision_accuracy"] * count)
        wrong += round(result["wrong_answer_rate"] * count)
        lines.append(f"| {name} | {count} | " + " | ".join(f"{result[c]:.4f}" for c in COLUMNS) + " |")
    lines.append(f"over {len(sets)} sets, {cases} cases: {right} right decisions, {wrong} wrong answers")
    if unread:
        lines.append(f"left out, unread: {', '.join(unread)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--root", type=Path, default=EVAL, help="the folder of the sets (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        print("\n".join(table(args.root)))
    except (MalformedInput, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
