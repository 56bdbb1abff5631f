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


def _set(tmp_path: Path) -> tuple[Path, Path]:
    kb, cases = tmp_path / "kb.json", tmp_path / "cases.jsonl"
    kb.write_text(json.dumps([
        {"id": "kb-hours", "question": "What are your opening hours?", "alternates": [], "answer": "9-5"},
        {"id": "kb-ship", "question": "How long does delivery take?", "alternates": [], "answer": "2 days"},
    ]))  # fmt: skip
    lines = [
        {"text": "when do you open", "expect": {"escalate": False, "kb_id": "kb-hours"}},
        {"text": "how many days until my parcel arrives", "expect": {"escalate": False, "kb_id": "kb-ship"}},
        {"text": "I want a human", "expect": {"escalate": True, "reasons": ["agent_requested"]}},
    ]
    cases.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return kb, cases


def test_measuring_bedrock_before_training_on_it_is_refused_saying_what_to_run(tmp_path: Path) -> None:
    kb, cases = _set(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "liveagent.detection.evaluate", "--kb", str(kb), "--cases", str(cases),
         "--encoder", "bedrock"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin",
             "BEDROCK_EMBEDDINGS_MODEL": "cohere.embed-english-v3"},
    )  # fmt: skip
    assert out.returncode == 2, out.stdout + out.stderr
    assert (
        "no models are trained on bedrock:cohere.embed-english-v3's vectors: run "
        "`make train-detection ENCODER=bedrock` first" in out.stderr
    )
    assert out.stdout == ""  # no figures


@pytest.fixture
def renamed_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The bundled encoder under another name, with the committed models as that name's own (written under
    tmp_path): what a hosted encoder trained with `make train-detection ENCODER=bedrock` looks like to the
    evaluation, without Bedrock. `fails`: its messages then raise what Bedrock's failures raise."""
    import shutil

    from liveagent.detection import models
    from liveagent.detection.bedrock import EncoderUnavailable
    from liveagent.detection.embeddings import default_encoder

    bundled = default_encoder()

    class Renamed:
        name = "test-hosted"
        fails = False

        def encode(self, texts: list[str]):
            if self.fails:
                raise EncoderUnavailable("ThrottlingException: Too many requests")
            return bundled.encode(texts)

        def __getattr__(self, attribute: str):
            return getattr(bundled, attribute)

    monkeypatch.setattr(models, "HERE", tmp_path)  # where a hosted encoder's signals file is looked for
    shutil.copyfile(models.SIGNALS_FILE, models.signals_file_for(Renamed.name))
    return Renamed()


def test_another_encoder_reads_the_whole_set_and_is_named_in_the_notes(
    tmp_path: Path, renamed_encoder
) -> None:
    from liveagent.detection.evaluate import evaluate

    kb, cases = _set(tmp_path)
    bundled_notes: list[str] = []
    hosted_notes: list[str] = []
    bundled = evaluate(kb, cases, bundled_notes)
    hosted = evaluate(kb, cases, hosted_notes, encoder=renamed_encoder)
    assert bundled_notes[0] == "read with: all-MiniLM-L6-v2-int8"
    assert hosted_notes[0] == "read with: test-hosted"
    # The same vectors under another name, on the same models: the same decisions.
    assert {k: v for k, v in hosted.items() if k != "median_ms"} == {
        k: v for k, v in bundled.items() if k != "median_ms"
    }


def test_an_encoder_failing_mid_set_stops_the_run_instead_of_mixing_two_encoders(
    tmp_path: Path, renamed_encoder
) -> None:
    from liveagent.detection.evaluate import CannotMeasure, evaluate

    kb, cases = _set(tmp_path)
    renamed_encoder.fails = True
    with pytest.raises(CannotMeasure, match="the encoder failed, no figures: ThrottlingException"):
        evaluate(kb, cases, [], encoder=renamed_encoder)
