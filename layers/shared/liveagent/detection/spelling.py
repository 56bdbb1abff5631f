"""English typos read as the words meant, for the sentence encoder.

A customer types "do you shipp internationaly?" or "how long is the guaranee?": the lexical index corrects
such a word toward the KB's own vocabulary, but the encoder reads "internationaly" as word pieces of
nothing, and the message sits far from every entry. Here a word that is not English (SymSpell's dictionary
of 82,765 words with their frequency, fetched by `make models`: DATA_CARD.md) is read as the likeliest
English word one edit away (Damerau-Levenshtein, a swap is one edit; two from TYPO_LONG_WORD letters), as
SymSpell does. Words that are English are left as they are, however unlikely ("personal" is never
"person"), and so are the words the encoder knows whole, a tenant's own words (`protected`: its products
and names), names (a capital inside a sentence), words in capitals, words with digits, and short words
but for two letters swapped (TYPO_MIN_LENGTH).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache, lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from liveagent.dictionaries import ENGLISH_DICTIONARY

# Under five letters a word is a typo only as two letters swapped ("opne", "lnog"): too many words are one
# other edit from it, and customers' own short words are as often abbreviations and names ("bday", "appt",
# "mins", "amex") as typos. Under four, never ("u", "pls").
TYPO_MIN_LENGTH = 5
SWAP_MIN_LENGTH = 4
TYPO_LONG_WORD = 8  # from this length on, two edits still make a typo (the lexical index's too)
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


TARGETS = 50_000  # a typo is read as one of the 50,000 most frequent words (not a rare name or term)
# Contractions as customers type them, without the apostrophe: English, though no dictionary word.
_CONTRACTIONS = """
dont doesnt didnt isnt arent wasnt werent havent hasnt hadnt wont wouldnt couldnt shouldnt cant mustnt neednt
youre theyre ive youve weve theyve youll theyll youd theyd im thats whats whos wheres hows lets
theres heres itll
"""
CONTRACTIONS = frozenset(_CONTRACTIONS.split())
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@cache
def _dictionary() -> tuple[frozenset[str], dict[str, int], dict[tuple[int, str], list[str]]]:
    """Every English word; the TARGETS most frequent with their frequency; those by length and first letter
    (two edits are searched among the words of the typo's first letter: a typo seldom starts a word)."""
    if not ENGLISH_DICTIONARY.is_file():
        raise RuntimeError(f"{ENGLISH_DICTIONARY} is missing: run `make models`")
    words: list[str] = []
    frequency: dict[str, int] = {}
    for line in ENGLISH_DICTIONARY.read_text(encoding="utf-8").splitlines():
        word, count = line.split(" ")
        words.append(word)
        if len(frequency) < TARGETS:
            frequency[word] = int(count)
    by_start: dict[tuple[int, str], list[str]] = {}
    for word in frequency:
        by_start.setdefault((len(word), word[0]), []).append(word)
    return frozenset(words) | CONTRACTIONS, frequency, by_start


def typo_edits(word: str) -> int:
    """How many edits still make a typo of `word`: one, two from TYPO_LONG_WORD letters."""
    return 1 if len(word) < TYPO_LONG_WORD else 2


def within(word: str, words: Sequence[str], edits: int) -> list[tuple[int, str]]:
    """(edits, word) for each of `words` at most `edits` from `word` (Damerau-Levenshtein: a swap is one)."""
    return [
        (int(distance), candidate)
        for candidate, distance, _ in process.extract(
            word, words, scorer=DamerauLevenshtein.distance, score_cutoff=edits, limit=None
        )
    ]


def swaps(word: str) -> set[str]:
    """Every string two adjacent letters of `word` swapped make."""
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}


def _one_edit(word: str) -> set[str]:
    """Every string one edit from `word` (Norvig's: deletes, swaps, replaces, inserts)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | swaps(word)
        | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        | {a + c + b for a, b in splits for c in _LETTERS}
    )


_ELONGATED = re.compile(r"(.)\1{2,}")


@lru_cache(maxsize=8192)  # customers' words: bounded, the container lives on
def _meant(word: str) -> str | None:
    """`_edited`, after letters a customer drew out ("pleeease", "sooo") are read once or twice."""
    if _ELONGATED.search(word):
        english = _dictionary()[0]
        for shortened in (_ELONGATED.sub(r"\1\1", word), _ELONGATED.sub(r"\1", word)):
            if shortened in english:
                return shortened
        word = _ELONGATED.sub(r"\1\1", word)
    return _edited(word)


def _edited(word: str) -> str | None:
    """The likeliest English word an edit (two for a long word) from `word`, or None. Likeliest: the fewest
    edits; then one with the same first letter (a typo seldom starts a word: "mannual" is "manual" before
    "annual"); then a swap of two letters ("opne" is "open" before "one"); then the most frequent."""
    _, frequency, by_start = _dictionary()
    edited = _one_edit(word) if len(word) >= TYPO_MIN_LENGTH else swaps(word)
    found: list[tuple[int, str]] = [(1, candidate) for candidate in edited if candidate in frequency]
    if not found and typo_edits(word) == 2:
        for length in range(len(word) - 2, len(word) + 3):
            found += within(word, by_start.get((length, word[0]), ()), 2)
    return likeliest(word, found, frequency) if found else None


def likeliest(word: str, found: list[tuple[int, str]], frequency: dict[str, int] | None = None) -> str:
    """Of the (edits, word) a typo may be, the likeliest: the fewest edits, then the same first letter, then
    two letters swapped, then the most frequent (where frequencies are known), then the first in order."""
    letters = sorted(word)
    return min(
        found,
        key=lambda item: (
            item[0],
            item[1][0] != word[0],
            sorted(item[1]) != letters,
            -(frequency or {}).get(item[1], 0),
            item[1],
        ),
    )[1]


def corrected(
    text: str, protected: frozenset[str] = frozenset(), reads: Callable[[str], bool] | None = None
) -> str:
    """The text with its English typos read as the words meant (see the module's docstring). `reads`: whether
    the encoder knows a word whole (its vocabulary holds names and spellings the dictionary lacks: "alexa",
    "traveling"); such a word is left as it is."""
    english = _dictionary()[0]
    out: list[str] = []
    position = 0
    previous_end = 0
    for match in WORD.finditer(text):
        word = match.group()
        lower = word.lower()
        # A capital inside a sentence is a name; after . ! ? (or at the start) it may be any word.
        sentence_start = previous_end == 0 or any(
            mark in text[previous_end : match.start()] for mark in ".!?"
        )
        previous_end = match.end()
        if (
            len(word) < SWAP_MIN_LENGTH
            or lower in english
            or lower in protected
            or (reads is not None and reads(lower))
            or "'" in word
            or (word[0].isupper() and not sentence_start)
            or (word.isupper() and len(word) > 1)
        ):
            continue
        meant = _meant(lower)
        if meant is not None:
            out += [text[position : match.start()], meant]
            position = match.end()
    return "".join(out) + text[position:] if out else text
