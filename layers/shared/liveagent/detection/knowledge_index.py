"""Retrieval over a tenant's knowledge base with a bounded confidence score.

Each entry is indexed by its question and alternates (what customers ask) and, with less weight, its
answer (the words a customer may use for the same thing: "100 beans get you a free drink"). Terms are
Snowball-stemmed content words after concept folding (`lexicon`: "¿abren?" -> open, "pw" -> password); a
query word that is not in the KB vocabulary is corrected to the closest vocabulary word when it is a likely
typo (Damerau-Levenshtein, rapidfuzz). The message is read clause by clause (`text.clauses`): its questions,
then the whole message, and the best reading wins. The confidence of an entry is the mean of
  - coverage: the IDF-weighted share of the query's terms found in the entry (answer-only matches at half
    weight): low when the customer asks about something the KB does not mention, and
  - question similarity: the best share of one question/alternate's terms that the query contains.
Coverage is also returned on its own (callers hold it to a floor), with the qualifiers ("holiday") the
query names and the entry does not.
The Retriever protocol lets a hosted model (e.g. Bedrock embeddings) replace this without touching callers.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from liveagent.detection.lexicon import QUALIFIERS
from liveagent.detection.text import clauses, content_terms

ANSWER_WEIGHT = 0.5
SHORTLIST = 50  # documents fully scored after the postings pass
TYPO_MIN_LENGTH = 4
TYPO_LONG_WORD = 8  # from this length on, two edits still make a typo


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
    coverage: float = 0.0  # IDF-weighted share of the query the entry covers
    similarity: float = 0.0  # share of the closest question/alternate that the query contains
    uncovered_qualifiers: tuple[str, ...] = ()  # e.g. "holiday": asked about, not in the entry


class Retriever(Protocol):
    def best(self, query: str) -> KbMatch | None: ...

    def entry_for_answer(self, text: str) -> str | None: ...

    def answer_coverage(self, entry_id: str, text: str) -> float: ...

    def mentions_offer(self, text: str) -> bool: ...


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
        self._by_answer = {" ".join(d.entry.answer.split()): i for i, d in enumerate(self._docs)}
        self._by_id = {d.entry.id: i for i, d in enumerate(self._docs)}

    def entry_for_answer(self, text: str) -> str | None:
        """The id of the entry whose answer this is (the bot's earlier message), if any."""
        doc_id = self._by_answer.get(" ".join(text.split()))
        return None if doc_id is None else self._docs[doc_id].entry.id

    def answer_coverage(self, entry_id: str, text: str) -> float:
        """The IDF-weighted share of the message's terms that the entry's answer mentions."""
        doc_id = self._by_id.get(entry_id)
        terms = {self._correct(t) for t in content_terms(text)}
        if doc_id is None or not terms:
            return 0.0
        return self._weight(terms & self._docs[doc_id].answer_terms) / self._weight(terms)

    def mentions_offer(self, text: str) -> bool:
        """The text names something of the tenant's own (a term of its knowledge base: its products,
        its services): negativity about it is about the business. The vocabulary is the tenant's, never
        written into the generic code."""
        return not self._idf.keys().isdisjoint(content_terms(text))

    def __len__(self) -> int:
        return len(self._docs)

    @lru_cache(maxsize=4096)  # noqa: B019 - the index lives as long as its cache entry
    def _correct(self, term: str) -> str:
        if term in self._idf or len(term) < TYPO_MIN_LENGTH or not self._vocabulary:
            return term
        # A typo is an edit or two away (a swap counts as one); a longer word that starts with a KB word is
        # a different word ("grinder" is not "grind"), so it is left alone.
        max_edits = 1 if len(term) < TYPO_LONG_WORD else 2
        match = process.extractOne(
            term, self._vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=max_edits
        )
        if match is None or term.startswith(match[0]) or match[0].startswith(term):
            return term
        return match[0]

    def _weight(self, terms: frozenset[str] | set[str]) -> float:
        return sum(self._idf.get(t, self._unknown_idf) for t in terms)

    def best(self, query: str) -> KbMatch | None:
        """The best entry for the message's most answerable clause (or the whole message)."""
        matches = [match for clause in clauses(query) if (match := self._best_for(clause))]
        return max(matches, key=lambda match: match.confidence, default=None)

    def _best_for(self, query: str) -> KbMatch | None:
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
                uncovered = tuple(sorted((query_terms & QUALIFIERS) - doc.question_terms - doc.answer_terms))
                best = KbMatch(
                    doc.entry, confidence, matched, round(coverage, 3), round(similarity, 3), uncovered
                )
        return best
