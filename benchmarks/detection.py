"""Detection speed per message against knowledge bases of 100, 1,000 and 10,000 entries.

Entries are synthesized from the development KB's vocabulary (so term statistics look like a real KB) and
embedded when the index is built (in production: when each entry is written; "build ms" includes it);
queries are the development set's customer messages, each timed with nothing of it cached, including
embedding the message (and its question clauses) with the bundled sentence encoder. Prints a table and, last, one JSON line.
Run: make bench  (or PYTHONPATH=layers/shared:. python benchmarks/detection.py)
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

from liveagent.detection import KbEntry, KnowledgeIndex, detect
from liveagent.detection.embeddings import MiniLmEncoder
from liveagent.detection.gloss import english_gloss, readable_text
from liveagent.settings import EscalationSettings

EVAL = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "eval"
SIZES = (100, 1_000, 10_000)
LABELS = {"100": 100, "1k": 1_000, "10k": 10_000}


def synthetic_kb(size: int, seed: int = 7) -> list[KbEntry]:
    base = json.loads((EVAL / "kb.json").read_text())
    words = sorted({w for e in base for w in f"{e['question']} {e['answer']}".lower().split() if w.isalpha()})
    rng = random.Random(seed)
    entries = [KbEntry(e["id"], e["question"], tuple(e["alternates"]), e["answer"]) for e in base]
    while len(entries) < size:
        n = len(entries)
        question = " ".join(rng.sample(words, 6)) + f" item{n}?"
        answer = " ".join(rng.sample(words, 25)) + "."
        entries.append(KbEntry(f"kb-{n}", question, (" ".join(rng.sample(words, 5)),), answer))
    return entries


def measure(size: int, texts: list[str], repeat: int = 3) -> dict:
    started = time.perf_counter()
    index = KnowledgeIndex(synthetic_kb(size))
    build_ms = (time.perf_counter() - started) * 1000
    settings = EscalationSettings(keywords=["refund", "billing", "complaint"])
    for text in texts[:10]:  # warm caches (stemmer, typo corrections), as a warm Lambda would be
        detect(text, [], settings, index)
    timings = []
    for _ in range(repeat):
        for text in texts:
            # Every message read as if new: no embedding or lexical reading of it cached from a repeat.
            KnowledgeIndex._lexical.cache_clear()
            MiniLmEncoder._one.cache_clear()
            english_gloss.cache_clear()
            readable_text.cache_clear()
            start = time.perf_counter()
            detect(text, [], settings, index)
            timings.append((time.perf_counter() - start) * 1000)
    median, p90 = statistics.median(timings), statistics.quantiles(timings, n=10)[-1]
    return {
        "entries": size,
        "build_ms": round(build_ms, 1),
        "median_ms": round(median, 3),
        "p90_ms": round(p90, 3),
    }


def main() -> int:
    cases = [json.loads(line) for line in (EVAL / "detection_dev.jsonl").read_text().splitlines() if line]
    texts = [c["text"] for c in cases]
    rows = [measure(size, texts) for size in SIZES]
    print(f"{'entries':>8} {'build ms':>10} {'median ms':>10} {'p90 ms':>8} {'growth':>7}")
    for row in rows:
        growth = row["median_ms"] / rows[0]["median_ms"]
        cells = (row["entries"], row["build_ms"], row["median_ms"], row["p90_ms"])
        print(f"{cells[0]:>8} {cells[1]:>10} {cells[2]:>10} {cells[3]:>8} {growth:>6.1f}x")
    by_size = {r["entries"]: r for r in rows}
    print(json.dumps({f"detection_ms_{label}": by_size[n]["median_ms"] for label, n in LABELS.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
