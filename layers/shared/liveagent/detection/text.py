"""Text folding, tokens and a light stemmer shared by the detection signals."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import Stemmer

from liveagent.detection.lexicon import WORD_CONCEPTS, fold_concepts

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = """
a an the is are was were be been am i you we they he she it my your our me us do does did can could would
should will shall to of in on at for from by with and or but if so this that these those there what which
who whom how when where why please pls hi hello hey thanks thank any some have has had get got just about
into out up than then too very im its not no yes ok okay u ur many much also really still already now yet
even only else something anything thing things guys lot bit
el la los las un una unos de del en con por para que se es son lo le mi tu su al y
os as um uma do da dos das em no na nos nas com pra por para que se e eu meu minha voce voces
le les des du et est il elle je tu vous nous mon ma mes au aux en pour avec que qui ce ces une
der die das den dem des ein eine einen einem und ist sind ich du sie wir mein meine mit fur von zu bei
il lo gli di del della che per con un una uno sono mio mia voi noi
"""
STOP_WORDS = frozenset(_STOP.split())


def fold(text: str) -> str:
    """Lowercase without accents ("Müller" -> "muller") so patterns work across languages; German "ß" as
    "ss", as Swiss German writes it: the word patterns have no "ß" and split a word at it ("Ermäßigung" was
    "erma" and "igung"; now "ermassigung")."""
    if text.isascii():  # nothing to decompose (most messages): the same result, without a pass per character
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("ß", "ss")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


_STEMMER = Stemmer.Stemmer("english")


@cache
def stem(token: str) -> str:
    """Snowball (Porter2) English stem: refund, refunds, refunded, refundable -> refund."""
    return _STEMMER.stemWord(token)


def content_terms(text: str) -> list[str]:
    """Stemmed content words, with support concepts folded across languages and wordings (`lexicon`)."""
    words = _TOKEN.findall(fold_concepts(fold(text)))
    terms = (WORD_CONCEPTS.get(w, w) for w in words)
    return [stem(t) for t in terms if t not in STOP_WORDS and len(t) > 1]


# Emoji and pictographs (a character class's inside): `classifier.as_read` reads them, clauses break at them.
EMOJI = "\U0001f000-\U0001ffff\u2600-\u27bf"
# Clause breaks: sentence ends, ", ", "but"/"though", and emoji (customers use them as punctuation).
_CLAUSE_BREAK = re.compile(rf"([.?!;¿¡]+|,\s+|\s+(?:but|though)\s+|[{EMOJI}]+)")
_QUESTION_START = re.compile(
    r"^(how|what|whats|when|where|which|who|why|can|could|do|does|did|is|are|was|were|will|would|should|may|any|got|"
    r"have|has|if|como|que|cuando|donde|cual|quanto|quando|onde|qual|comment|quand|ou|quel|quelle|est-ce|"
    r"wie|wann|wo|welche|gibt|kann|come|quando|dove|quale|posso|puedo|tienen|hay)\b"
)


def _split(text: str) -> list[tuple[str, str]]:
    """The message's clauses, each with the break that ends it ("" for the last)."""
    pieces = _CLAUSE_BREAK.split(text)
    return list(zip(pieces[::2], [*pieces[1::2], ""], strict=True))


def _opens_like_a_question(clause: str, min_words: int) -> bool:
    words = fold(clause).split()
    return len(words) >= min_words and _QUESTION_START.match(" ".join(words)) is not None


def _questions(split: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The clauses of a split message that ask (ending in "?" or opening like a question), each with the
    break that ends it."""
    return [
        (" ".join(clause.split()), delimiter)
        for clause, delimiter in split
        if len(clause.split()) >= 2 and ("?" in delimiter or _opens_like_a_question(clause, 2))
    ]


def clauses(text: str) -> list[str]:
    """The questions the message asks (clauses ending in "?", kept with it as the customer wrote it, or
    opening like one), then the whole message: "new apartment 🎉 how do I update where my order gets sent?"
    is read as the question it asks, not with the news around it."""
    questions = [clause + ("?" if "?" in delimiter else "") for clause, delimiter in _questions(_split(text))]
    if len(questions) == 1 and len(questions[0].split()) == len(text.split()):
        return [text]
    return [*dict.fromkeys(questions), text]


def asks(text: str) -> bool:
    """The message asks something by its form: a question mark, or a clause of three words or more that opens
    like a question ("was my order delivered"; "got it" is two words, and tells)."""
    return "?" in text or any(_opens_like_a_question(clause, 3) for clause, _ in _split(text))


def statements(text: str) -> list[str]:
    """The message's clauses of two words or more that `clauses` does not read apart (it reads questions),
    when there is more than one clause."""
    split = _split(text)
    pieces = [" ".join(clause.split()) for clause, _ in split]
    pieces = [piece for piece in pieces if len(piece.split()) >= 2]
    if len(pieces) < 2:
        return []
    read_apart = {clause for clause, _ in _questions(split)}
    return [piece for piece in pieces if piece not in read_apart]
