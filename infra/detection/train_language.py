"""`make train-detection` (second part): the language identifier liveagent.language reads.

Multinomial naive Bayes (Laplace smoothing) over hashed character n-grams: a closed form, so the committed
file rebuilds byte for byte. Trained on Django's catalogues (data/language/django_po.tsv) and the written
corpus (data/detection/written.tsv), a fifth of each held out by a hash of the text and reported; the
model that ships is then trained on all of it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

from infra.detection.train import canonical_header
from liveagent.detection.models import file_hash
from liveagent.language import BUCKETS, MIN_CONFIDENCE, MIN_LETTERS, MODEL_FILE, ngram_counts

LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "nl")
SOURCES = (Path("data/language/django_po.tsv"), Path("data/detection/written.tsv"))
ALPHA = 0.1


def rows() -> list[tuple[str, str]]:
    """(language, text), from both sources."""
    found = []
    for line in SOURCES[0].read_text(encoding="utf-8").splitlines():
        language, text = line.split("\t", 1)
        found.append((language, text))
    for line in SOURCES[1].read_text(encoding="utf-8").splitlines():
        _, language, text = line.split("\t", 2)
        found.append((language, text))
    return [(language, text) for language, text in found if language in LANGUAGES]


def held_out(text: str) -> bool:
    return zlib.crc32(text.encode()) % 5 == 0


def fit(data: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    counts = np.zeros((len(LANGUAGES), BUCKETS))
    documents = Counter(language for language, _ in data)
    for language, text in data:
        counts[LANGUAGES.index(language)] += ngram_counts(text)
    smoothed = counts + ALPHA
    log_likelihood = np.log(smoothed / smoothed.sum(axis=1, keepdims=True))
    # Equal priors: a tenant's customers are not distributed like a UI catalogue's translations.
    log_prior = np.full(len(LANGUAGES), -np.log(len(LANGUAGES)))
    del documents
    return log_prior, log_likelihood.astype(np.float32)


def evaluate(log_prior: np.ndarray, log_likelihood: np.ndarray, data: list[tuple[str, str]]) -> list[str]:
    right = told = 0
    per_language = Counter()
    for language, text in data:
        joint = log_prior + log_likelihood.astype(np.float64) @ ngram_counts(text)
        probabilities = np.exp(joint - joint.max())
        probabilities /= probabilities.sum()
        best = int(np.argmax(probabilities))
        letters = sum(c.isalpha() for c in text)
        if letters >= MIN_LETTERS and probabilities[best] >= MIN_CONFIDENCE:
            told += 1
            right += LANGUAGES[best] == language
            per_language[language] += LANGUAGES[best] == language
    return [
        f"language: held-out {len(data)} texts; told {told / len(data):.3f} of them (confidence >= "
        f"{MIN_CONFIDENCE}), right {right / max(told, 1):.4f} of those told",
    ]


def train(target: Path) -> list[str]:
    from safetensors.numpy import save_file

    data = rows()
    report = evaluate(*fit([r for r in data if not held_out(r[1])]), [r for r in data if held_out(r[1])])
    log_prior, log_likelihood = fit(data)
    metadata = {"languages": ",".join(LANGUAGES), **{f"{p.stem}_sha256": file_hash(p) for p in SOURCES}}
    save_file({"log_prior": log_prior, "log_likelihood": log_likelihood}, str(target), metadata=metadata)
    canonical_header(target)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", type=Path, default=MODEL_FILE)
    parser.add_argument("--check", action="store_true", help="train into a scratch file and compare")
    args = parser.parse_args(argv)
    if not args.check:
        for line in train(args.target):
            print(line)
        print(f"wrote {args.target} sha256 {file_hash(args.target)}")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        rebuilt = Path(scratch) / args.target.name
        train(rebuilt)
        if file_hash(rebuilt) != file_hash(args.target):
            print(
                f"error: {args.target} is not what its corpus trains (sha256 {file_hash(rebuilt)})",
                file=sys.stderr,
            )
            return 1
    print(f"language: reproduced {args.target} byte for byte")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
