"""The training corpus stays apart from every set detection is measured on: no written line within
Levenshtein ratio 80 of a dev, holdout or blind case, nor containing an example quoted in issue 15 (those
are phrasings of the sets the issue's check runs on). `python -m infra.detection.corpus_check` lists them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rapidfuzz import fuzz

from infra.detection.eval_sets import EVAL, every_set
from liveagent.detection.text import fold

ROOT = Path(__file__).resolve().parents[2]
# The two dev tenants, then every other set (holdout, blind ones, read or not): a new set is kept apart from
# the corpus as soon as it is written.
MEASURED = tuple(cases for _, _, cases, _ in every_set(EVAL))
ISSUE_EXAMPLES = ROOT / "data/detection/issue_examples.txt"
MAX_RATIO = 80


def too_close() -> list[str]:
    measured = [
        fold(json.loads(line)["text"]) for p in MEASURED for line in p.read_text().splitlines() if line
    ]
    quoted = [fold(line) for line in ISSUE_EXAMPLES.read_text().splitlines() if line.strip()]
    found = []
    for line in written_texts():
        text = fold(line)
        if any(q in text for q in quoted) or max(fuzz.ratio(text, m) for m in measured + quoted) >= MAX_RATIO:
            found.append(line)
    return found


def written_texts() -> list[str]:
    """Every text written for training: the labeled messages and the FAQ tenants' questions and answers."""
    texts = [line.split("\t")[2] for line in (ROOT / "data/detection/written.tsv").read_text().splitlines()]
    for tenant in json.loads((ROOT / "data/detection/faq_tenants.json").read_text()):
        for entry in tenant["entries"]:
            texts += [entry["question"], *entry["alternates"], *entry["asked"]]
        texts += tenant["unanswered"]
    return texts


if __name__ == "__main__":
    close = too_close()
    print("\n".join(close) or "the corpus is apart from every measured set")
    sys.exit(1 if close else 0)
