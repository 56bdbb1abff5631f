"""Retrieval over a tenant's knowledge base with a bounded confidence score.

Each entry contributes its question and every alternate as a document. A document's score is the
F-beta (beta = 0.5) of two IDF-weighted coverages of stemmed content terms: how much of the document the
query covers (weighted more: a customer adds words around a known question) and how much of the query
the document covers; in [0, 1]. An entry's score is its best document's. The Retriever protocol lets
a hosted model (e.g. embeddings) replace it without touching callers.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from liveagent.detection.text import content_terms

_BETA2 = 0.25  # beta = 0.5


@dataclass(frozen=True)
class KbEntry:
    id: str
    question: str
    alternates: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class KbMatch:
    entry: KbEntry
    confidence: float
    matched: str


class Retriever(Protocol):
    def best(self, query: str) -> KbMatch | None: ...


class TermOverlapIndex:
    def __init__(self, entries: list[KbEntry]) -> None:
        self._docs: list[tuple[KbEntry, str, set[str]]] = []
        frequency: Counter[str] = Counter()
        for entry in entries:
            for text in (entry.question, *entry.alternates):
                terms = set(content_terms(text))
                if terms:
                    self._docs.append((entry, text, terms))
                    frequency.update(terms)
        total = max(len(self._docs), 1)
        self._idf = {t: math.log(1 + total / n) for t, n in frequency.items()}
        self._unknown_idf = math.log(1 + total)

    def _weight(self, terms: set[str]) -> float:
        return sum(self._idf.get(t, self._unknown_idf) for t in terms)

    def best(self, query: str) -> KbMatch | None:
        query_terms = set(content_terms(query))
        if not query_terms:
            return None
        query_weight = self._weight(query_terms)
        best: KbMatch | None = None
        for entry, text, terms in self._docs:
            shared = query_terms & terms
            if not shared:
                continue
            matched = self._weight(shared)
            document_coverage, query_coverage = matched / self._weight(terms), matched / query_weight
            score = (
                (1 + _BETA2)
                * document_coverage
                * query_coverage
                / (_BETA2 * document_coverage + query_coverage)
            )
            if best is None or score > best.confidence:
                best = KbMatch(entry, round(score, 3), text)
        return best
