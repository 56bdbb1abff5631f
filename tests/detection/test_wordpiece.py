"""The layer's WordPiece tokenizer gives the same ids as Hugging Face `tokenizers` for the model."""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer

from liveagent.detection.models import minilm_dir
from liveagent.detection.wordpiece import WordPiece

ROOT = Path(__file__).resolve().parents[2]
SETS = (
    "data/detection/clinc_train_other_intents.jsonl",
    "tests/fixtures/eval/detection_dev.jsonl",
    "tests/fixtures/eval/clinc/bank_dev.jsonl",
    "tests/fixtures/eval/blind/cases.jsonl",
)
EDGES = [
    "Café ¿qué? 你好世界 emoji 👍🏽 tabs\tand\nnew\u00a0lines",
    "x" * 150,  # longer than a word may be: [UNK]
    "naïve résumé Ⅳ ½ ﬁ",
    "\x00ctrl\x07chars",
    "$5^`~ Ärger ß straße İstanbul",
    " ".join(["word"] * 200),  # truncated to 128 tokens
    "",
]


def test_the_same_ids_as_the_reference_tokenizer_on_every_text() -> None:
    path = minilm_dir() / "tokenizer.json"
    reference = Tokenizer.from_file(str(path))
    reference.no_padding()
    reference.enable_truncation(128)
    ours = WordPiece(path)
    texts = [
        json.loads(line)["text"] for name in SETS for line in (ROOT / name).read_text().splitlines() if line
    ]
    texts += [line.split("\t")[2] for line in (ROOT / "data/detection/written.tsv").read_text().splitlines()]
    texts += EDGES
    different = [t for t in texts if reference.encode(t).ids != ours.encode(t)]
    assert len(texts) > 14_000
    assert different == []
