"""Retrieval over a tenant's knowledge base with a bounded confidence score.

Each entry is indexed by its question and alternates (what customers ask) and, with less weight, its
answer (the words a customer may use for the same thing: "without caffeine" -> the decaf answer).
Terms are Snowball-stemmed content words; a query word that is not in the KB vocabulary is corrected to
the closest vocabulary word when it is a likely typo (rapidfuzz). The confidence of an entry is the mean of
  - coverage: the IDF-weighted share of the query's terms found in the entry (answer-only matches at half
    weight): low when the customer asks about something the KB does not mention, and
  - question similarity: the best share of one question/alternate's terms that the query contains.
The Retriever protocol lets a hosted model (e.g. Bedrock embeddings) replace this without touching callers.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from rapidfuzz import fuzz, process

from liveagent.detection.text import content_terms

ANSWER_WEIGHT = 0.5
SHORTLIST = 50  # documents fully scored after the postings pass
TYPO_MIN_LENGTH = 4
TYPO_MIN_SIMILARITY = 80


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


@dataclass(frozen=True)
class _Doc:
    entry: KbEntry
    questions: tuple[tuple[str, frozenset[str]], ...]
    question_terms: frozenset[str]
    answer_terms: frozenset[str]


class KnowledgeIndex:
    def __init__(self, entries: list[KbEntry]) -> None:
        self._docs: list[_Doc] = []
        frequency: Counter[str] = Counter()
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for entry in entries:
            questions = tuple(
                (text, frozenset(content_terms(text))) for text in (entry.question, *entry.alternates)
            )
            question_terms = frozenset().union(*(terms for _, terms in questions))
            answer_terms = frozenset(content_terms(entry.answer))
            doc_id = len(self._docs)
            self._docs.append(_Doc(entry, questions, question_terms, answer_terms))
            frequency.update(question_terms | answer_terms)
            for term in question_terms | answer_terms:
                self._postings.setdefault(term, []).append(
                    (doc_id, 1.0 if term in question_terms else ANSWER_WEIGHT)
                )
        total = max(len(self._docs), 1)
        self._idf = {t: math.log(1 + total / n) for t, n in frequency.items()}
        self._unknown_idf = math.log(1 + total)
        self._vocabulary = list(self._idf)

    def __len__(self) -> int:
        return len(self._docs)

    @lru_cache(maxsize=4096)  # noqa: B019 - the index lives as long as its cache entry
    def _correct(self, term: str) -> str:
        if term in self._idf or len(term) < TYPO_MIN_LENGTH or not self._vocabulary:
            return term
        match = process.extractOne(
            term, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_MIN_SIMILARITY
        )
        return match[0] if match else term

    def _weight(self, terms: frozenset[str] | set[str]) -> float:
        return sum(self._idf.get(t, self._unknown_idf) for t in terms)

    def best(self, query: str) -> KbMatch | None:
        query_terms = {self._correct(t) for t in content_terms(query)}
        if not query_terms:
            return None
        query_weight = self._weight(query_terms)
        # First pass over the postings: IDF-weighted overlap per document; only a shortlist is scored fully.
        overlap: dict[int, float] = {}
        for term in query_terms:
            idf = self._idf.get(term)
            for doc_id, weight in self._postings.get(term, ()) if idf else ():
                overlap[doc_id] = overlap.get(doc_id, 0.0) + idf * weight
        shortlist = heapq.nlargest(SHORTLIST, overlap, key=overlap.__getitem__)
        best: KbMatch | None = None
        for doc_id in shortlist:
            doc = self._docs[doc_id]
            in_questions = query_terms & doc.question_terms
            answer_only = (query_terms & doc.answer_terms) - in_questions
            coverage = (self._weight(in_questions) + ANSWER_WEIGHT * self._weight(answer_only)) / query_weight
            similarity, matched = max(
                ((self._weight(query_terms & terms) / self._weight(terms) if terms else 0.0, text)
                 for text, terms in doc.questions),
                key=lambda pair: pair[0],
            )  # fmt: skip
            confidence = round((coverage + similarity) / 2, 3)
            if best is None or confidence > best.confidence:
                best = KbMatch(doc.entry, confidence, matched)
        return best
