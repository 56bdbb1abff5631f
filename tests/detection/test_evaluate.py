from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_evaluation_prints_the_contract_metrics_as_its_last_line(tmp_path: Path) -> None:
    kb = tmp_path / "kb.json"
    kb.write_text(json.dumps([{"id": "kb-hours", "question": "What are your opening hours?",
                               "alternates": ["When are you open?"], "answer": "9-5"}]))  # fmt: skip
    cases = tmp_path / "cases.jsonl"
    lines = [
        {
            "id": "1",
            "channel": "whatsapp",
            "history": [],
            "text": "when are you open",
            "expect": {"escalate": False, "kb_id": "kb-hours"},
        },
        {
            "id": "2",
            "channel": "whatsapp",
            "history": [],
            "text": "I want a human",
            "expect": {"escalate": True, "reasons": ["agent_requested"]},
        },
        {
            "id": "3",
            "channel": "whatsapp",
            "history": [],
            "text": "thanks!",
            "expect": {"escalate": False, "kb_id": None},
        },
        {
            "id": "4",
            "channel": "instagram",
            "history": [],
            "text": "do you sell gift cards",
            "expect": {"escalate": False, "kb_id": None},
        },
    ]
    cases.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out = subprocess.run(
        [sys.executable, "-m", "liveagent.detection.evaluate", "--kb", str(kb), "--cases", str(cases)],
        capture_output=True, text=True, check=True, cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["cases"] == 4
    # The notes before it: each expected outcome, and whether the KB's confidence means what it says over
    # the messages read as questions (1 and 4; "I want a human" and "thanks!" are not).
    notes = out.stdout.strip().splitlines()[:-1]
    assert "| answer from the KB | 1 | 1 |" in notes and "| escalate: agent_requested | 1 | 1 |" in notes
    assert any(line.startswith("reliability of the KB's confidence over the 2 messages") for line in notes)
    assert "| c | readings at >= c | share right |" in notes
    assert result["kb_accuracy"] == 1.0 and result["reason_accuracy"] == 1.0
    # case 4 is a question the KB cannot answer: the bot escalates it (1 of 3 non-escalations expected)
    assert result["false_escalation_rate"] == round(1 / 3, 4)
    assert result["decision_accuracy"] == 0.75 and result["missed_escalation_rate"] == 0.0
    assert result["median_ms"] >= 0


def test_missing_files_are_a_clear_error(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "liveagent.detection.evaluate", "--kb", str(tmp_path / "no.json"), "--cases", "x"],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}"},
    )  # fmt: skip
    assert out.returncode == 2 and "is not a file" in out.stderr


@pytest.mark.parametrize(
    ("kb", "cases", "said"),
    [
        ('[{"id": "kb-a", "answer": "9-5"}]', '{"text": "hi", "expect": {"escalate": false}}',
         "kb.json: entry 1: question: Field required"),
        ('{"id": "kb-a"}', '{"text": "hi", "expect": {"escalate": false}}', "a KB file is a JSON list"),
        ('[{"id": "kb-a", "question": "  ", "answer": "9-5"}]', '{"text": "hi", "expect": {"escalate": false}}',
         "kb.json: entry 1: question: String should have at least 1 character"),
        ('[{"id": "kb-a", "question": "Hours?", "answer": "9-5"}, {"id": "kb-a", "question": "Where?", "answer": "Here"}]',
         '{"text": "hi", "expect": {"escalate": false}}', "kb.json: entry 2: id 'kb-a' is already entry 1's"),
        ('[{"id": "kb-a", "question": "Hours?", "answer": "9-5"}]', '{"text": "hi"}\n',
         "cases.jsonl: line 1: expect: Field required"),
        ('[{"id": "kb-a", "question": "Hours?", "answer": "9-5"}]', "not json", "cases.jsonl: line 1: Invalid JSON"),
    ],
)  # fmt: skip
def test_a_malformed_kb_or_case_file_is_refused_saying_where_and_what(
    tmp_path: Path, kb: str, cases: str, said: str
) -> None:
    (tmp_path / "kb.json").write_text(kb)
    (tmp_path / "cases.jsonl").write_text(cases)
    out = subprocess.run(
        [sys.executable, "-m", "liveagent.detection.evaluate",
         "--kb", str(tmp_path / "kb.json"), "--cases", str(tmp_path / "cases.jsonl")],
        capture_output=True, text=True, cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert out.returncode == 2 and out.stdout == ""
    assert said in out.stderr and out.stderr.startswith("error: "), out.stderr


def test_a_case_expecting_an_entry_the_kb_lacks_is_counted_and_said(tmp_path: Path) -> None:
    (tmp_path / "kb.json").write_text(
        '[{"id": "kb-a", "question": "Hours?", "alternates": null, "answer": "9-5"}]'
    )
    (tmp_path / "cases.jsonl").write_text(
        '\n{"text": "what are your hours", "expect": {"escalate": false, "kb_id": "kb-b"}}'
    )
    out = subprocess.run(
        [sys.executable, "-m", "liveagent.detection.evaluate",
         "--kb", str(tmp_path / "kb.json"), "--cases", str(tmp_path / "cases.jsonl")],
        capture_output=True, text=True, check=True, cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert "line 2: expect.kb_id 'kb-b' is not an entry of the KB" in out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["kb_accuracy"] == 0.0


def test_blank_alternates_are_dropped_as_the_api_drops_them(tmp_path: Path) -> None:
    from liveagent.detection.evaluate import read_kb

    (tmp_path / "kb.json").write_text(
        '[{"id": "kb-a", "question": "Hours?", "alternates": ["", "  ", "When do you open?"], "answer": "9-5"}]'
    )
    assert read_kb(tmp_path / "kb.json")[0].alternates == ("When do you open?",)
