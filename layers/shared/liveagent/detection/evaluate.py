"""`make eval-detection KB=... CASES=...`: the production detection code over a labeled case file.

Prints per-reason notes and, as its last line, one JSON object (CONTRACT.md section 7). `ENCODER=bedrock`
(`--encoder bedrock`) reads with the hosted encoder production reads with under EMBEDDINGS_PROVIDER=bedrock
(BEDROCK_EMBEDDINGS_MODEL), on the models `make train-detection ENCODER=bedrock` trained on its vectors.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from liveagent.detection import Decision, KbEntry, KnowledgeIndex, detect
from liveagent.detection.bedrock import EncoderUnavailable, configured_encoder, is_trained_for
from liveagent.detection.embeddings import SentenceEncoder
from liveagent.settings import EscalationSettings

EVAL_KEYWORDS = ["refund", "billing", "complaint"]


class MalformedInput(ValueError):
    """A KB or case file the evaluation cannot read, said with where and what."""


class CannotMeasure(RuntimeError):
    """The encoder asked for cannot read the set: no models trained on its vectors, or it failed."""


def hosted_encoder_to_measure() -> SentenceEncoder:
    """The hosted encoder production reads with under EMBEDDINGS_PROVIDER=bedrock (its model from
    BEDROCK_EMBEDDINGS_MODEL), refused until models are trained on its vectors, as production refuses it."""
    encoder = configured_encoder()
    if not is_trained_for(encoder):
        raise CannotMeasure(
            f"no models are trained on {encoder.name}'s vectors: run `make train-detection ENCODER=bedrock` "
            "first (AWS credentials with Bedrock access)"
        )
    return encoder


def add_encoder_option(parser: argparse.ArgumentParser) -> None:
    """`--encoder`, of `make eval-detection` and `make eval-sets` (`ENCODER=`): read with `chosen_encoder`."""
    parser.add_argument(
        "--encoder", choices=["local", "bedrock"], default="local",
        help="bedrock: the hosted encoder of EMBEDDINGS_PROVIDER=bedrock (needs AWS access to Bedrock)",
    )  # fmt: skip


def chosen_encoder(option: str) -> SentenceEncoder | None:
    """The encoder `--encoder` names: None for the bundled one."""
    return hosted_encoder_to_measure() if option == "bedrock" else None


# As the API refuses it (`knowledge.KnowledgeEntryIn`): an entry that asks or answers nothing.
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _KbEntry(BaseModel):
    id: str = Field(min_length=1)
    question: _Text
    alternates: list[str] | None = None
    answer: _Text


class _Turn(BaseModel):
    role: str
    text: str


class _Expect(BaseModel):
    escalate: bool
    kb_id: str | None = None
    reasons: list[str] | None = None


class _Case(BaseModel):
    model_config = ConfigDict(extra="allow")  # id, channel, lang: kept by the files, unused here
    text: str
    history: list[_Turn] | None = None
    expect: _Expect


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


def read_kb(path: Path) -> list[KbEntry]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"{path}: not JSON ({exc})") from exc
    if not isinstance(raw, list):
        raise MalformedInput(f"{path}: a KB file is a JSON list of entries")
    entries = []
    first_with: dict[str, int] = {}
    for number, item in enumerate(raw, 1):
        try:
            entry = _KbEntry.model_validate(item)
        except ValidationError as exc:
            raise MalformedInput(f"{path}: entry {number}: {_problem(exc)}") from exc
        # Two entries under one id: a case expecting it could not say which one it means.
        if entry.id in first_with:
            raise MalformedInput(
                f"{path}: entry {number}: id {entry.id!r} is already entry {first_with[entry.id]}'s"
            )
        first_with[entry.id] = number
        entries.append(entry)
    return [KbEntry.written(e.id, e.question, e.alternates or (), e.answer) for e in entries]


def load_kb(path: Path) -> KnowledgeIndex:
    return KnowledgeIndex(read_kb(path))


def load_cases(path: Path, kb_ids: set[str]) -> list[_Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = _Case.model_validate_json(line)
        except ValidationError as exc:
            raise MalformedInput(f"{path}: line {number}: {_problem(exc)}") from exc
        if case.expect.kb_id is not None and case.expect.kb_id not in kb_ids:
            # Counted (no answer can match it), and said: a typo in a label should not pass unseen.
            unknown = case.expect.kb_id
            print(f"warning: {path}: line {number}: expect.kb_id {unknown!r} is not an entry of the KB",
                  file=sys.stderr)  # fmt: skip
        cases.append(case)
    return cases


def reliability_lines(confidence: np.ndarray, right: np.ndarray) -> list[str]:
    """Whether the KB confidence means what it says: among answers at confidence >= c, the share right,
    and by bin (`make eval-detection` on a set, `make train-detection` on its held-out tenants)."""
    lines = ["| c | readings at >= c | share right |", "|---|---|---|"]
    for c in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        answered = confidence >= c
        share = f"{right[answered].mean():.3f}" if answered.any() else "-"
        lines.append(f"| {c:.1f} | {int(answered.sum())} | {share} |")
    lines += ["| confidence bin | readings | mean confidence | share right |", "|---|---|---|---|"]
    bins = np.minimum((confidence * 10).astype(int), 9)  # tenths; a confidence of 1.0 in the last one
    for tenth in range(10):
        in_bin = bins == tenth
        if in_bin.any():
            lines.append(
                f"| {tenth / 10:.1f}-{(tenth + 1) / 10:.1f} | {int(in_bin.sum())} | "
                f"{confidence[in_bin].mean():.3f} | {right[in_bin].mean():.3f} |"
            )
    return lines


def _kb_reading(decision: Decision) -> tuple[float, str | None] | None:
    """How sure the KB was of its closest entry for the message, answered or not (None: the message was
    not read as a question, e.g. a request for a person)."""
    if not decision.escalate and decision.kb_id is not None:
        return decision.confidence, decision.kb_id
    miss = next((t for t in decision.triggers if t.get("type") == "kb_miss"), None)
    return (miss["best_confidence"], miss.get("closest_kb_id")) if miss else None


def evaluate(
    kb_path: Path, cases_path: Path, notes: list[str] | None = None, encoder: SentenceEncoder | None = None
) -> dict:
    """CONTRACT section 7's metrics plus wrong answers; `notes` (when given) gets the encoder that read, the
    per-outcome counts and the reliability table of the set's KB readings. `encoder`: another than the
    bundled one (`hosted_encoder_to_measure`). Where it fails the run stops (`CannotMeasure`): production
    would read that message with the bundled model, and figures that mix two encoders measure neither."""
    entries = read_kb(kb_path)
    cases = load_cases(cases_path, {entry.id for entry in entries})
    try:
        return _measure(cases, notes, KnowledgeIndex(entries, encoder or "default"))
    except EncoderUnavailable as exc:
        raise CannotMeasure(f"the encoder failed, no figures: {exc}") from exc


def _measure(cases: list[_Case], notes: list[str] | None, index: KnowledgeIndex) -> dict:
    settings = EscalationSettings(keywords=EVAL_KEYWORDS)
    correct = false_escalations = missed = reasons_ok = kb_ok = wrong_answers = 0
    expected_escalations = expected_answers = expected_kb = 0
    timings = []
    outcomes: Counter = Counter()
    readings: list[tuple[float, bool]] = []
    for case in cases:
        history = [turn.model_dump() for turn in case.history or ()]
        started = time.perf_counter()
        decision = detect(case.text, history, settings, index)
        timings.append((time.perf_counter() - started) * 1000)
        expect = case.expect
        # A wrong answer: the bot answered with another entry than the expected one, or answered from the
        # KB when a person was needed -- the bot stating something false.
        answered_from_kb = not decision.escalate and decision.kb_id is not None
        wrong_answers += answered_from_kb and (expect.escalate or decision.kb_id != expect.kb_id)
        if expect.escalate:
            expected_escalations += 1
            missed += not decision.escalate
            right_reason = decision.escalate and decision.reason in (expect.reasons or ())
            reasons_ok += right_reason
            outcome = f"escalate: {'/'.join(expect.reasons or ['any reason'])}"
            outcomes[outcome, "right"] += right_reason
        else:
            expected_answers += 1
            false_escalations += decision.escalate
            outcome = "answer from the KB" if expect.kb_id else "small talk (no KB answer)"
            outcomes[outcome, "right"] += not decision.escalate and decision.kb_id == expect.kb_id
        outcomes[outcome, "cases"] += 1
        correct += decision.escalate == expect.escalate
        if not expect.escalate and expect.kb_id:
            expected_kb += 1
            kb_ok += decision.kb_id == expect.kb_id
        reading = _kb_reading(decision)
        if reading is not None:
            readings.append((reading[0], reading[1] is not None and reading[1] == expect.kb_id))
    if notes is not None:
        notes.append(f"read with: {index.encoder.name if index.encoder else 'the lexical index alone'}")
        notes += ["| expected | cases | as expected (the reason, or the entry) |", "|---|---|---|"]
        for outcome in sorted({name for name, _ in outcomes}):
            notes.append(f"| {outcome} | {outcomes[outcome, 'cases']} | {outcomes[outcome, 'right']} |")
        threshold = settings.kb_min_confidence
        notes.append(
            f"reliability of the KB's confidence over the {len(readings)} messages read as questions (right: "
            f"the closest entry is the expected one; the bot answers from {threshold}):"
        )
        if readings:
            notes += reliability_lines(np.array([c for c, _ in readings]), np.array([r for _, r in readings]))
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
    add_encoder_option(parser)
    args = parser.parse_args(argv)
    for path in (args.kb, args.cases):
        if not path.is_file():
            print(f"error: {path} is not a file", file=sys.stderr)
            return 2
    notes: list[str] = []
    try:
        result = evaluate(args.kb, args.cases, notes, chosen_encoder(args.encoder))
    except (MalformedInput, CannotMeasure, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(notes))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
