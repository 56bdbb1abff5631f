"""`make eval-sets`: every labeled set's row and the totals, with a blind set nobody has read left out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from infra.detection.eval_sets import EVAL, UNREAD, labeled_sets, main, with_gaps
from liveagent.detection.evaluate import evaluate

HOLDOUT = Path(__file__).resolve().parents[1] / "fixtures" / "eval" / "holdout"


def _sets(root: Path) -> None:
    for name in ("shop_a", "shop_b"):
        shutil.copytree(HOLDOUT, root / name)
    (root / "shop_b" / UNREAD).touch()


def test_an_unread_blind_set_is_left_out_and_said_so(tmp_path: Path, capsys) -> None:
    _sets(tmp_path)
    assert main(["--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line for line in out if line.startswith("| shop")]
    assert [row.split(" | ")[0] for row in rows] == ["| shop_a"]
    assert rows[0].split(" | ")[1] == "20"  # the holdout's 20 cases
    assert out[-2].startswith("over 1 sets, 20 cases: ")
    assert out[-1] == "left out, unread: shop_b"


def test_a_malformed_set_is_refused_with_where_and_what(tmp_path: Path, capsys) -> None:
    _sets(tmp_path)
    (tmp_path / "shop_a" / "cases.jsonl").write_text(json.dumps({"text": "hi"}) + "\n", encoding="utf-8")
    assert main(["--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "cases.jsonl" in err and "expect" in err


def test_the_repository_s_unread_sets_say_so_in_their_readme() -> None:
    # The UNREAD.md file and the set's README agree: a set is read once, and both change together.
    _, unread = labeled_sets(EVAL)
    for folder in sorted(path.parent for path in EVAL.glob("*/cases.jsonl")):
        readme = (folder / "README.md").read_text(encoding="utf-8") if (folder / "README.md").exists() else ""
        assert ("**Unread.**" in readme) == (folder.name in unread), folder.name


def test_a_kb_with_gaps_asks_a_person_for_the_questions_of_the_entries_it_lost() -> None:
    # A third of the KB's entries left out (drawn by seed, the same each run); their questions then expect
    # an escalation, so answering one is a wrong answer and a missed escalation.
    gone, result = with_gaps(HOLDOUT / "kb.json", HOLDOUT / "cases.jsonl", seed=1)
    entries = json.loads((HOLDOUT / "kb.json").read_text(encoding="utf-8"))
    assert gone == len(entries) // 3
    assert result["cases"] == 20
    again = with_gaps(HOLDOUT / "kb.json", HOLDOUT / "cases.jsonl", seed=1)[1]
    assert {**again, "median_ms": 0} == {**result, "median_ms": 0}  # the same draw, the same figures
    # Fewer entries, more to escalate: the full KB answers more of the same cases right.
    assert (
        result["decision_accuracy"]
        <= evaluate(HOLDOUT / "kb.json", HOLDOUT / "cases.jsonl")["decision_accuracy"]
    )
