"""Retrieval over a tenant's knowledge base with a bounded confidence score.

Each entry is indexed by its question and alternates (what customers ask) and, with less weight, its
answer (the words a customer may use for the same thing: "100 points get you a free month"). Terms are
Snowball-stemmed content words after concept folding (`lexicon`: "¿abren?" -> open, "pw" -> password); a
query word that is not in the KB vocabulary is corrected to the closest vocabulary word when it is a likely
typo (Damerau-Levenshtein, rapidfuzz). The message is read clause by clause (`text.clauses`): its questions,
then the whole message, and the best reading wins. The confidence of an entry is the mean of
  - coverage: the IDF-weighted share of the query's terms found in the entry (answer-only matches at half
    weight): low when the customer asks about something the KB does not mention, and
  - question similarity: the best share of one question/alternate's terms that the query contains.
Coverage is also returned on its own (callers hold it to a floor), with the qualifiers ("holiday") the
query names and the entry does not.

With a sentence encoder (`embeddings`), each entry's question, alternates and answer are also embedded (once,
when the entry is written: `KbEntry.embedding`), and retrieval fuses both readings. The entry is chosen by a
learned ranker: a linear model over each entry's best cosine to a question/alternate, cosine to the entry's
centroid (the topic its wordings share), cosine to its answer, lexical confidence, coverage and similarity,
and how far each is below the best entry's. Whether it really answers the message is a learned, calibrated
probability (`answerability`) of that reading. Which entry is sent is then decided by the chooser: the
ranker's scores plus the tenant's own KB read as a few-shot classifier (`discriminant_weights`), which tells
close entries apart ("what is my credit limit": the limit, not how to raise it). All are trained
(`make train-detection`) on knowledge bases simulated from CLINC150 intents that neither dev tenant uses and
on the FAQ tenants written for this repository.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Protocol

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from liveagent.detection.embeddings import SentenceEncoder
from liveagent.detection.gloss import readable_text
from liveagent.detection.lexicon import QUALIFIERS
from liveagent.detection.spelling import WORD, typo_edits
from liveagent.detection.text import clauses, content_terms

ANSWER_WEIGHT = 0.5
# A query word is read as a typo of a KB word from four letters (the KB's own words: "yoga" for "yoag"); a
# typo of any English word from five (`spelling.TYPO_MIN_LENGTH`).
TYPO_MIN_LENGTH = 4
SHORTLIST = 50  # documents fully scored after the postings pass
# Below this share of words the encoder knows, the message is in a language it cannot read: the lexical
# reading (multilingual concepts) decides alone, with its own confidence and the coverage floor.
ENCODER_READS = 0.7
RIDGE = 1.0  # the discriminant's L2 penalty, on unit vectors


@dataclass(frozen=True)
class KbEntry:
    id: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    # float16 rows of the question, each alternate and the answer, from `embed_entry` (stored with it).
    embedding: bytes | None = None
    embedding_model: str | None = None

    @classmethod
    def written(cls, id: str, question: str, alternates: Iterable[str], answer: str) -> KbEntry:
        """An entry as a KB holds it once written: trimmed, its blank alternates dropped (the API writes
        entries so, and the evaluation reads its KB files so)."""
        kept = tuple(text.strip() for text in alternates if text.strip())
        return cls(id, question.strip(), kept, answer.strip())


def embed_entry(entry: KbEntry, encoder: SentenceEncoder) -> KbEntry:
    """The entry with its question and alternates embedded: done once, when the entry is written."""
    rows = encoder.encode_documents(_readable_texts(entry, encoder)).astype(np.float16)
    return KbEntry(entry.id, entry.question, entry.alternates, entry.answer, rows.tobytes(), encoder.name)


def _readable_texts(entry: KbEntry, encoder: SentenceEncoder) -> list[str]:
    """The entry's question, alternates and answer as the encoder reads them: a KB written in another
    language is embedded through its English gloss, as the messages are."""
    texts = [entry.question, *entry.alternates, entry.answer]
    return [readable_text(text, encoder, ENCODER_READS) or text for text in texts]


@dataclass(frozen=True)
class Reading:
    """One fused reading of the best candidate: what the answerability model looks at."""

    cosine: float = 0.0  # best cosine of the message to the entry's question/alternates
    cosine_margin: float = 0.0  # ... minus the best cosine to any other entry
    meaning: float = 0.0  # (cosine + cosine to the entry's centroid) / 2
    answer_cosine: float = 0.0
    fused: float = 0.0
    fused_margin: float = 0.0  # the chosen entry's fused score minus the next candidate's
    lexical: float = 0.0  # the lexical confidence of the entry (0 when words do not meet)
    lexical_margin: float = 0.0
    coverage: float = 0.0
    similarity: float = 0.0
    dense_top: bool = False  # the entry is also the closest by meaning
    lexical_top: bool = False  # ... and by words
    qualifier_missing: bool = False
    words: int = 0
    # How far the entry's cosine stands above the KB's other entries, in units of their spread
    # (`standing`): a chatty paraphrase sits far from every entry of a terse KB yet its entry stands out,
    # while a near-miss sits about as close to several. None: a KB of fewer than three entries.
    standing: float | None = None


@dataclass(frozen=True)
class KbMatch:
    entry: KbEntry
    confidence: float
    matched: str
    coverage: float = 0.0  # IDF-weighted share of the query the entry covers
    similarity: float = 0.0  # share of the closest question/alternate that the query contains
    uncovered_qualifiers: tuple[str, ...] = ()  # e.g. "holiday": asked about, not in the entry
    reading: Reading | None = None  # with an encoder: the evidence behind `confidence`


class LexicalMatch(NamedTuple):
    """One entry's lexical reading of a clause: `KbMatch`'s lexical fields, in its order (`KbMatch(entry,
    *reading)`). Every shortlisted entry gets one, so it is a plain tuple."""

    confidence: float
    matched: str
    coverage: float
    similarity: float
    uncovered_qualifiers: tuple[str, ...]


class Retriever(Protocol):
    encoder: SentenceEncoder | None
    # The KB's own words, as written (lowercase): a customer's word that is one of them is never corrected.
    words: frozenset[str]

    def best(
        self, query: str, vector: np.ndarray | None = None, without: str | None = None
    ) -> KbMatch | None: ...

    def entry_for_answer(self, text: str) -> str | None: ...

    def answer_coverage(self, entry_id: str, text: str) -> float: ...


@dataclass(frozen=True)
class _Doc:
    entry: KbEntry
    question_terms: frozenset[str]  # of its question and alternates (each also in the flat list of them)
    answer_terms: frozenset[str]


@dataclass(frozen=True)
class _Postings:
    """Where one term occurs: the documents, in order, and the questions/alternates (their index in the
    index's flat list of them)."""

    docs: np.ndarray
    asked: np.ndarray  # the documents that hold it in a question or alternate (weight 1)
    answered: np.ndarray  # ... and those that hold it in their answer only (weight ANSWER_WEIGHT)
    questions: np.ndarray


RANK_FEATURES = (
    "cosine",
    "centroid",
    "answer",
    "lexical",
    "coverage",
    "similarity",
    "cosine_to_best",
    "centroid_to_best",
    "lexical_to_best",
)


def candidate_features(
    cosine: np.ndarray,
    centroid: np.ndarray,
    answer: np.ndarray,
    lexical: np.ndarray,
    coverage: np.ndarray,
    similarity: np.ndarray,
) -> np.ndarray:
    """One row per entry: its scores and how far each is below the best entry's (the ranker's input)."""
    return np.stack(
        [cosine, centroid, answer, lexical, coverage, similarity,
         cosine - cosine.max(), centroid - centroid.max(), lexical - lexical.max()],
        axis=1,
    )  # fmt: skip


CHOICE_FEATURES = (*RANK_FEATURES, "discriminant", "discriminant_to_best")


def choice_features(ranked: np.ndarray, discriminant: np.ndarray) -> np.ndarray:
    """The chooser's input: the ranker's features of each entry, the KB discriminant's score for it and how
    far that is below the best entry's."""
    return np.concatenate(
        [ranked, discriminant[:, None], (discriminant - discriminant.max())[:, None]], axis=1
    )


STANDING_MIN_SPREAD = 0.05  # a KB whose entries all sit at one distance from the message: no standing out


def standing(cosines: np.ndarray, chosen: int) -> float | None:
    """How far one entry's cosine to the message stands above the KB's mean, over the spread of all of
    them (a z-score). A raw cosine means different things in different KBs and for different messages: a
    chatty message sits far from every entry of a terse KB, a short one close to many. Below three
    entries there is no spread to read: None (answerability then reads the mean standing)."""
    if len(cosines) < 3:
        return None
    return round(float((cosines[chosen] - cosines.mean()) / (cosines.std() + STANDING_MIN_SPREAD)), 4)


def discriminant_weights(rows: np.ndarray, owners: np.ndarray, entries: int) -> np.ndarray:
    """The tenant's own KB read as a few-shot classifier: a ridge regression from an embedding to its entry
    (one-hot), fitted on every question, alternate and answer of the KB. It weighs the directions that tell
    this KB's entries apart over those all of them share. Closed form, (X'X + RIDGE I)^-1 X'Y: one solve of
    the encoder's dimension, when the index is built."""
    gram = rows.T.astype(np.float64) @ rows + RIDGE * np.eye(rows.shape[1])
    per_entry = np.zeros((rows.shape[1], entries))
    np.add.at(per_entry.T, owners, rows)  # X'Y: each entry's rows summed
    return np.linalg.solve(gram, per_entry).astype(np.float32)


class DenseKb:
    """The KB's embeddings for the dense products with a message's vector. At 1,000 entries these are
    memory-bound (the encoder has just pushed the KB out of the cache): the bytes read are the time, so the
    centroids are not kept but read from the rows' products (an entry's centroid cosine is its rows'
    cosines summed, over the length of their sum).

    `columns`: every question and alternate, entry after entry, then every answer, one column each (a
    product with the vector streams it row by row). `discriminant`: the KB's own few-shot classifier
    (`discriminant_weights`), one column per entry."""

    def __init__(self, blocks: list[np.ndarray]) -> None:
        asked = [block[:-1] for block in blocks]
        self.asked = sum(len(entry_rows) for entry_rows in asked)
        # Where each entry's rows begin: they are contiguous, so an entry's best or summed row is a reduceat.
        self.starts = np.cumsum([0] + [len(entry_rows) for entry_rows in asked[:-1]])
        rows = np.concatenate([*asked, np.stack([block[-1] for block in blocks])])
        self.columns = np.ascontiguousarray(rows.T)
        sums = np.stack([entry_rows.sum(axis=0, dtype=np.float64) for entry_rows in asked])
        self.centroid_scale = (1 / np.maximum(np.linalg.norm(sums, axis=1), 1e-12)).astype(np.float32)
        owners = np.repeat(np.arange(len(blocks)), [len(block) for block in blocks])
        self.discriminant = discriminant_weights(np.concatenate(blocks), owners, len(blocks))

    def scores(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each entry's best question cosine, centroid cosine and answer cosine."""
        cosines = vector @ self.columns
        asked = cosines[: self.asked]
        best = np.maximum.reduceat(asked, self.starts)
        return best, np.add.reduceat(asked, self.starts) * self.centroid_scale, cosines[self.asked :]


def entry_model_weights(encoder_name: str, model: str) -> np.ndarray | None:
    from liveagent.detection.answerability import entry_model_weights as learned

    return learned(encoder_name, model)


class KnowledgeIndex:
    # The learned ranker's weights (`answerability.entry_model_weights`); training sets its own here.
    ranker: np.ndarray | None = None

    def __init__(self, entries: list[KbEntry], encoder: SentenceEncoder | str | None = "default") -> None:
        from liveagent.detection.embeddings import default_encoder

        self.encoder = default_encoder() if encoder == "default" else encoder
        self._docs: list[_Doc] = []
        frequency: Counter[str] = Counter()
        asked_by: dict[str, list[int]] = {}
        answered_by: dict[str, list[int]] = {}
        question_postings: dict[str, list[int]] = {}
        self._question_texts: list[str] = []  # every question/alternate, entry after entry
        question_terms_flat: list[frozenset[str]] = []
        for entry in entries:
            questions = tuple(
                (text, frozenset(content_terms(text))) for text in (entry.question, *entry.alternates)
            )
            question_terms = frozenset().union(*(terms for _, terms in questions))
            answer_terms = frozenset(content_terms(entry.answer))
            doc_id = len(self._docs)
            self._docs.append(_Doc(entry, question_terms, answer_terms))
            for text, terms in questions:
                for term in terms:
                    question_postings.setdefault(term, []).append(len(self._question_texts))
                self._question_texts.append(text)
                question_terms_flat.append(terms)
            frequency.update(question_terms | answer_terms)
            for term in question_terms:
                asked_by.setdefault(term, []).append(doc_id)
            for term in answer_terms - question_terms:
                answered_by.setdefault(term, []).append(doc_id)
        self._postings = {
            term: _Postings(
                docs=np.array(sorted(asked_by.get(term, []) + answered_by.get(term, [])), dtype=np.intp),
                asked=np.array(asked_by.get(term, []), dtype=np.intp),
                answered=np.array(answered_by.get(term, []), dtype=np.intp),
                questions=np.array(question_postings.get(term, []), dtype=np.intp),
            )
            for term in frequency
        }
        total = max(len(self._docs), 1)
        self._idf = {t: math.log(1 + total / n) for t, n in frequency.items()}
        self._unknown_idf = math.log(1 + total)
        # Sorted: typo correction breaks ties by vocabulary order, which must not depend on the process's
        # string hashing (PYTHONHASHSEED) -- the same message gets the same reading in every container.
        self._vocabulary = sorted(self._idf)
        self._by_answer = {" ".join(d.entry.answer.split()): i for i, d in enumerate(self._docs)}
        self.words = frozenset(
            word
            for entry in entries
            for text in (entry.question, *entry.alternates, entry.answer)
            for word in WORD.findall(text.lower())
        )
        self._by_id = {d.entry.id: i for i, d in enumerate(self._docs)}
        # Each question/alternate's own weight, once (the denominator of question similarity), and where
        # each entry's questions begin in the flat list.
        self._question_weights = np.array([self._weight(terms) for terms in question_terms_flat])
        self._question_start = np.cumsum([0] + [1 + len(d.entry.alternates) for d in self._docs])
        self._dense = self._embed(entries)

    def _embed(self, entries: list[KbEntry]) -> DenseKb | None:
        if self.encoder is None or not entries:
            return None
        blocks = []
        for entry in entries:
            texts = 2 + len(entry.alternates)
            if entry.embedding and entry.embedding_model == self.encoder.name:
                block = np.frombuffer(entry.embedding, dtype=np.float16).reshape(-1, self.encoder.dimensions)
                if len(block) == texts:
                    blocks.append(block.astype(np.float32))
                    continue
            # Written before the encoder (or by another one): embedded here, once per index build.
            blocks.append(self.encoder.encode_documents(_readable_texts(entry, self.encoder)))
        return DenseKb(blocks)

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

    def __len__(self) -> int:
        return len(self._docs)

    @lru_cache(maxsize=4096)  # noqa: B019 - the index lives as long as its cache entry
    def _correct(self, term: str) -> str:
        if term in self._idf or len(term) < TYPO_MIN_LENGTH or not self._vocabulary:
            return term
        # A typo is an edit or two away (a swap counts as one); a longer word that starts with a KB word is
        # a different word ("printer" is not "print"), so it is left alone.
        match = process.extractOne(
            term, self._vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=typo_edits(term)
        )
        if match is None or term.startswith(match[0]) or match[0].startswith(term):
            return term
        return match[0]

    def _weight(self, terms: frozenset[str] | set[str]) -> float:
        # fsum: exact, so the result does not depend on the set's (hash-seeded) iteration order.
        return math.fsum(self._idf.get(t, self._unknown_idf) for t in terms)

    def best(
        self, query: str, vector: np.ndarray | None = None, without: str | None = None
    ) -> KbMatch | None:
        """The entry that answers the message, with how sure that is. Lexical candidates come from the
        message's most answerable clause (or the whole message); with an encoder, `vector` is the
        embedding of what the encoder reads for the message (the message, or its English gloss:
        `readable_text`; computed here when not given) and the readings are fused. `without`: an entry
        read as if the KB did not hold it (the one the customer was just sent)."""
        excluded = self._by_id.get(without) if without else None
        readable, lexical = self._readings(query)
        if readable is None:
            found = max(
                (item for item in lexical.items() if item[0] != excluded),
                key=lambda item: item[1].confidence,
                default=None,
            )
            return None if found is None else KbMatch(self._docs[found[0]].entry, *found[1])
        # In another language the encoder cannot read, by meaning in its English gloss (`gloss`); by words
        # it was read in both.
        query = readable
        if vector is None:
            vector = self.encoder.encode([query])[0]
        best = self._fused(query, vector, lexical, excluded)
        for clause in clauses(query)[:-1]:
            # "terrible night 😵 need caffeine. do you open at 7 on saturdays?": the question it asks,
            # read on its own, may be answered where the whole message is not.
            clause_lexical = self._lexical_by_clause(clause)
            reading = self._fused(clause, self.encoder.encode([clause])[0], clause_lexical, excluded)
            if reading and (best is None or reading.confidence > best.confidence):
                best = reading
        return best

    def closest(self, query: str, k: int = 3) -> list[str]:
        """The ids of the `k` entries the ranker puts first for the message, however sure (suggested
        replies an agent reads before sending; the bot's own answers go through `best`)."""
        if not self._docs:
            return []
        readable, lexical = self._readings(query)
        weights = entry_model_weights(self.encoder.name, "ranker") if readable is not None else None
        if weights is None:
            ranked = sorted(lexical, key=lambda doc_id: -lexical[doc_id].confidence)
        else:
            vector = self.encoder.encode([readable])[0]
            features = candidate_features(*self._scores(vector, lexical))
            chosen = self._choice_scores(features, vector)
            fused = features @ weights if chosen is None else chosen
            ranked = [int(i) for i in np.argsort(-fused, kind="stable")]
        return [self._docs[i].entry.id for i in ranked[:k]]

    def _choice_scores(
        self, ranked: np.ndarray, vector: np.ndarray, excluded: int | None = None
    ) -> np.ndarray | None:
        """The chooser's score of each entry (`ranked`: their ranker features, without the excluded
        entry's), or None where the chooser is not trained."""
        weights = entry_model_weights(self.encoder.name, "chooser")
        return None if weights is None else self._choice_features(ranked, vector, excluded) @ weights

    def _choice_features(
        self, ranked: np.ndarray, vector: np.ndarray, excluded: int | None = None
    ) -> np.ndarray:
        """`choice_features` for the message: the ranker's features with this KB's discriminant scores."""
        discriminant = vector @ self._dense.discriminant
        if excluded is not None:
            discriminant = np.delete(discriminant, excluded)
        return choice_features(ranked, discriminant)

    def _readings(self, query: str) -> tuple[str | None, dict[int, LexicalMatch]]:
        """What the encoder reads for the message (the message, or its English gloss when the message is in
        a language the encoder cannot read; None when neither is readable, or there is no encoder), and the
        lexical reading of the message and of that gloss."""
        readable = (
            None if self._dense is None else readable_text(query, self.encoder, ENCODER_READS, self.words)
        )
        return readable, self._lexical_by_clause(*dict.fromkeys((query, readable or query)))

    def _lexical_by_clause(self, *texts: str) -> dict[int, LexicalMatch]:
        """Each entry's most confident lexical match over the clauses of the texts (a message, its gloss)."""
        lexical: dict[int, LexicalMatch] = {}
        for clause in (clause for text in texts for clause in clauses(text)):
            for doc_id, match in self._lexical(clause).items():
                if doc_id not in lexical or match.confidence > lexical[doc_id].confidence:
                    lexical[doc_id] = match
        return lexical

    def _scores(self, vector: np.ndarray, lexical: dict[int, LexicalMatch]) -> tuple[np.ndarray, ...]:
        lexical_scores = np.zeros((3, len(self._docs)), dtype=np.float32)
        if lexical:
            found = np.array([(m.confidence, m.coverage, m.similarity) for m in lexical.values()], np.float32)
            lexical_scores[:, list(lexical)] = found.T
        return *self._dense.scores(vector), *lexical_scores

    def whole_reading(self, query: str, vector: np.ndarray) -> KbMatch | None:
        """The ranker's reading of the whole message only, without the chooser (training: answerability
        learns whether the ranker's entry answers; and `best` picks among clause readings by the
        answerability model's own confidence, which training must not depend on)."""
        return self._fused(query, vector, self._lexical_by_clause(query), choose=False)

    def candidate_matrix(self, query: str, vector: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Each entry's ranker features for the message, with the entries' ids (for training the ranker)."""
        features = candidate_features(*self._scores(vector, self._lexical_by_clause(query)))
        return features, [doc.entry.id for doc in self._docs]

    def choice_matrix(self, query: str, vector: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Each entry's chooser features for the message, with the entries' ids (for training the chooser)."""
        features, ids = self.candidate_matrix(query, vector)
        return self._choice_features(features, vector), ids

    def _fused(
        self,
        query: str,
        vector: np.ndarray,
        lexical: dict[int, LexicalMatch],
        excluded: int | None = None,
        choose: bool = True,
    ) -> KbMatch | None:
        from liveagent.detection.answerability import answerability

        docs = self._docs
        scores = self._scores(vector, lexical)
        if excluded is not None:
            # Read as if the KB did not hold that entry: its scores go, and the ids after it move down.
            if len(docs) == 1:
                return None
            docs = docs[:excluded] + docs[excluded + 1 :]
            scores = tuple(np.delete(score, excluded) for score in scores)
            lexical = {i - (i > excluded): match for i, match in lexical.items() if i != excluded}
        cosines, centroid, answers, lexical_confidence = scores[:4]
        meaning = (cosines + centroid) / 2
        weights = self.ranker if self.ranker is not None else entry_model_weights(self.encoder.name, "ranker")
        if weights is None:
            raise RuntimeError("the retrieval ranker is not trained: run `make train-detection`")
        ranked = candidate_features(*scores)
        fused = ranked @ weights
        chosen = int(np.argmax(fused))

        def runner_up(scores: np.ndarray) -> float:
            others = np.delete(scores, chosen)
            return float(others.max()) if len(others) else 0.0

        match = lexical.get(chosen)
        lexical_others = [m.confidence for i, m in lexical.items() if i != chosen]
        reading = Reading(
            cosine=round(float(cosines[chosen]), 4),
            cosine_margin=round(float(cosines[chosen]) - runner_up(cosines), 4),
            meaning=round(float(meaning[chosen]), 4),
            answer_cosine=round(float(answers[chosen]), 4),
            fused=round(float(fused[chosen]), 4),
            fused_margin=round(float(fused[chosen]) - runner_up(fused), 4),
            lexical=match.confidence if match else 0.0,
            lexical_margin=round((match.confidence if match else 0.0) - max(lexical_others, default=0.0), 4),
            coverage=match.coverage if match else 0.0,
            similarity=match.similarity if match else 0.0,
            dense_top=chosen == int(np.argmax(meaning)),
            lexical_top=bool(lexical) and chosen == int(np.argmax(lexical_confidence)),
            qualifier_missing=bool(match and match.uncovered_qualifiers),
            words=len(query.split()),
            standing=standing(cosines, chosen),
        )
        # The reading (and so the confidence) is the ranker's; the entry sent is the chooser's, which tells
        # this KB's close entries apart better (and is the ranker's own choice in most messages).
        chosen_scores = self._choice_scores(ranked, vector, excluded) if choose else None
        if chosen_scores is not None:
            chosen = int(np.argmax(chosen_scores))
            match = lexical.get(chosen)
        doc = docs[chosen]
        matched = match.matched if match else doc.entry.question
        return KbMatch(
            doc.entry,
            round(answerability(reading, self.encoder.name), 3),
            matched,
            match.coverage if match else 0.0,
            match.similarity if match else 0.0,
            match.uncovered_qualifiers if match else (),
            reading,
        )

    @lru_cache(maxsize=1024)  # noqa: B019 - the index lives as long as its cache entry
    def _lexical(self, query: str) -> dict[int, LexicalMatch]:
        """Lexical confidence of each shortlisted entry for one clause (callers copy, never change it).

        One array operation per query term, not a loop over its postings (a common word's, at 1,000 entries,
        are hundreds of documents). Which of the query's terms a document or question holds is a bit mask
        (bit i: the i-th term in sorted order), and the IDF weight of each subset of terms is summed once."""
        terms = sorted({self._correct(t) for t in content_terms(query)})
        if not terms:
            return {}
        idfs = [self._idf.get(t, self._unknown_idf) for t in terms]
        subset_weights: dict[int, float] = {}

        def weight(mask: int) -> float:
            # As `_weight` of those terms (fsum: exact in any order).
            if mask not in subset_weights:
                subset_weights[mask] = math.fsum(idf for bit, idf in enumerate(idfs) if mask >> bit & 1)
            return subset_weights[mask]

        masks = np.int64 if len(terms) < 63 else object  # object: Python ints, for a very long clause
        documents = len(self._docs)
        overlap = np.zeros(documents)  # IDF-weighted overlap with the query, answer-only terms at half
        reached_by = np.full(documents, len(terms))  # the first term found in the document
        in_questions = np.zeros(documents, dtype=masks)
        answer_only = np.zeros(documents, dtype=masks)
        in_question = np.zeros(len(self._question_texts), dtype=masks)
        for rank, term in enumerate(terms):
            postings = self._postings.get(term)
            if postings is None:
                continue
            bit = 1 << rank
            # One addition per document and term, in term order: the same sums as a loop over the postings.
            overlap[postings.asked] += idfs[rank]
            overlap[postings.answered] += ANSWER_WEIGHT * idfs[rank]
            reached_by[postings.docs] = np.minimum(reached_by[postings.docs], rank)
            in_questions[postings.asked] |= bit
            answer_only[postings.answered] |= bit
            in_question[postings.questions] |= bit
        # Only a shortlist is scored fully: most overlap first; a tie goes to the document an earlier term
        # reached, then to the earlier document.
        reached = np.flatnonzero(reached_by < len(terms))
        shortlist = reached[np.lexsort((reached, reached_by[reached], -overlap[reached]))[:SHORTLIST]]
        if not len(shortlist):
            return {}

        def weights_of(subsets: np.ndarray) -> np.ndarray:
            return np.array([weight(mask) for mask in subsets.tolist()])

        query_weight = weight((1 << len(terms)) - 1)
        coverage = (
            weights_of(in_questions[shortlist]) + ANSWER_WEIGHT * weights_of(answer_only[shortlist])
        ) / query_weight
        # Question similarity: the best share of a question/alternate's own weight that the query holds; the
        # first question with that share is the one matched.
        starts, ends = self._question_start[shortlist], self._question_start[shortlist + 1]
        counts = ends - starts
        segments = np.cumsum(counts) - counts  # where each document's questions begin in `flat`
        flat = np.arange(counts.sum()) + np.repeat(starts - segments, counts)
        own = self._question_weights[flat]
        shares = np.divide(weights_of(in_question[flat]), own, out=np.zeros(len(flat)), where=own > 0)
        similarity = np.maximum.reduceat(shares, segments)
        best = np.flatnonzero(shares == np.repeat(similarity, counts))
        of_document = np.searchsorted(segments, best, side="right")
        first_best = np.concatenate(([True], of_document[1:] != of_document[:-1]))
        matched = flat[best[first_best]].tolist()
        confidence = (coverage + similarity) / 2
        qualifiers = frozenset(terms) & QUALIFIERS
        scored: dict[int, LexicalMatch] = {}
        for i, doc_id in enumerate(shortlist.tolist()):
            doc = self._docs[doc_id]
            uncovered = (
                tuple(sorted(qualifiers - doc.question_terms - doc.answer_terms)) if qualifiers else ()
            )
            scored[doc_id] = LexicalMatch(
                round(float(confidence[i]), 3),
                self._question_texts[matched[i]],
                round(float(coverage[i]), 3),
                round(float(similarity[i]), 3),
                uncovered,
            )
        return scored
