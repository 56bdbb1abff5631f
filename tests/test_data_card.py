"""data/DATA_CARD.md names every dataset and model file with its source, licence and hash."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARD = ROOT / "data" / "DATA_CARD.md"
ROW = re.compile(
    r"^\| `(?P<path>[^`]+)`(?P<built> \(built, not committed\))? \|(?P<rest>.*)\| `(?P<sha>[0-9a-f]{64})`"
)


def rows() -> dict[str, tuple[str, bool]]:
    found = {}
    for line in CARD.read_text().splitlines():
        match = ROW.match(line)
        if match:
            found[match["path"]] = (match["sha"], bool(match["built"]))
    return found


def test_every_file_on_the_card_has_its_hash() -> None:
    card = rows()
    assert len(card) >= 13
    for path, (sha, built) in card.items():
        file = ROOT / path
        if built and not file.exists():
            continue  # built by `make models` (make test builds it first; the build checks the same hash)
        assert hashlib.sha256(file.read_bytes()).hexdigest() == sha, path


def test_every_dataset_and_model_in_the_repository_is_on_the_card() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    data = [
        p
        for p in tracked.stdout.split()
        if (p.startswith(("data/", "tests/fixtures/eval/")) and not p.endswith(".md"))
        or p.endswith((".safetensors", ".onnx", ".tsv", ".jsonl"))
    ]
    assert data, "the scan found no files"
    missing = sorted(set(data) - set(rows()))
    assert not missing, missing
