"""Word-by-word English for a message the English sentence encoder cannot read.

"combien coûte l'abonnement par mois ?" is noise to an English encoder, so retrieval used to read such a
message with the lexical index alone, and most of them went to a person. Its gloss, "how much cost the
subscription per month", is English enough for the encoder (and for the lexical index) to find "How much
does a membership cost?". The glossary (`models/glossary.tsv`, DATA_CARD.md) is general customer-service
vocabulary in Spanish, Portuguese, French, German, Italian and Dutch -- question words, pronouns, the verbs
and nouns of buying, delivery, bookings, accounts, opening hours -- never a tenant's products or brand.
Phrases are matched first (longest first), then words as written -- with their accents where the glossary
tells the two apart (French "à" is "to", "a" is "has"; German "würde" is "would", "wurde" "was"), else
without them, as customers often type -- then by their Snowball stem in the message's language ("alugam" and
"alugar" share a stem), then as a likely typo of a word of that language.
Words it does not know (names, numbers, English words) stay as they are.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

import Stemmer

from liveagent import language
from liveagent.detection import spelling
from liveagent.detection.embeddings import SentenceEncoder
from liveagent.detection.text import fold

GLOSSARY_FILE = Path(__file__).resolve().parent / "models" / "glossary.tsv"
STEMMERS = {"es": "spanish", "pt": "portuguese", "fr": "french", "de": "german", "it": "italian",
            "nl": "dutch"}  # fmt: skip
MAX_PHRASE = 3
# Plurals whose singular the stemmer does not share, as (plural ending, singular ending), tried where neither
# the word nor its stem is known: in every language a plural it leaves whole ("pneus", "pneu"); and once
# accents are folded away, Spanish "felices" (feliz), Portuguese "cartões" (cartão), "jardins" (jardim),
# "anéis" (anel), "animais" (animal), French "travaux" (travail) and "chevaux" (cheval).
_PLURAL_S = (("s", ""),)
PLURAL_ENDINGS = {
    "es": (*_PLURAL_S, ("ces", "z")),
    "pt": (
        *_PLURAL_S,
        ("oes", "ao"),
        ("aes", "ao"),
        ("ns", "m"),
        ("eis", "el"),
        ("ais", "al"),
        ("ois", "ol"),
    ),
    "fr": (*_PLURAL_S, ("aux", "ail"), ("aux", "al")),
    "de": _PLURAL_S,
    "it": _PLURAL_S,
    "nl": _PLURAL_S,
}
# "-s" alone is read off a word of four letters or more ("pneus")
SHORTEST_PLURAL = {"s": 4}
COMPOUNDING = frozenset({"de", "nl"})
COMPOUND_PART = 4  # the shortest part: with three, "Kontoauszug" read "account from train" (aus, zug)
COMPOUND_PARTS = 3
LINKING = {"de": ("s", "es", "n", "en", "e", "er"), "nl": ("s", "en", "e")}
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|[?!.,;]")  # punctuation kept: clauses are read apart
_WRITTEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*|[?!.,;]")  # a token as written, accents and all

Tables = tuple[dict[tuple[str, ...], str], dict[str, str], dict[str, str]]


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(STEMMERS[lang])


@cache
def _glossary() -> dict[str, Tables]:
    """Per language: phrases and words without their accents, words by stem, and the words written with
    accents as they are written (lowercase)."""
    tables: dict[str, Tables] = {}
    for line in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines():
        lang, foreign, english = line.split("\t")
        written, by_stem, accented = tables.setdefault(lang, ({}, {}, {}))
        words = tuple(_WORD.findall(fold(foreign)))
        written.setdefault(words, english)
        if len(words) == 1:
            by_stem.setdefault(_stemmer(lang).stemWord(words[0]), english)
            if foreign.lower() != words[0]:
                accented.setdefault(foreign.lower(), english)
    return tables


def _tokens(text: str, names_are_nouns: bool) -> tuple[list[str], list[str], list[bool]]:
    """The message's tokens without their accents (as the glossary's keys) and, in step, as written
    (lowercase), and whether each may be read as a typo: not when it is written as a name (capitalised, not
    all capitals, not opening a sentence: "¿envían a México?" is not "médico"), unless `names_are_nouns`
    (German capitalises every noun)."""
    folded: list[str] = []
    written: list[str] = []
    correctable: list[bool] = []
    previous = "."
    for as_written in _WRITTEN.findall(text):
        token = as_written.lower()
        parts = _TOKEN.findall(fold(token))
        folded += parts
        written += [token] if len(parts) == 1 else parts
        name = as_written[0].isupper() and not as_written.isupper() and previous not in ".?!"
        correctable += [names_are_nouns or not name] * len(parts)
        previous = as_written
    return folded, written, correctable


@lru_cache(maxsize=1024)  # one message is read several times (classifier, retrieval, clauses)
def english_gloss(text: str) -> str | None:
    """The message word by word in English, or None when the glossary knows none of its words."""
    posterior = language.scores(text)
    if posterior.get("en", 0.0) >= 0.5:
        return None
    tables = _glossary()
    # The message's likeliest languages first: a word is looked up in those before the others.
    order = sorted(tables, key=lambda lang: -posterior.get(lang, 0.0))
    words, written, correctable = _tokens(text, names_are_nouns=order[0] == "de")
    out: list[str] = []
    known = 0
    position = 0
    while position < len(words):
        found = _lookup(words, written, position, order, tables, correctable[position])
        if found is None and "-" in words[position]:
            # An inversion the glossary does not hold whole ("seront-elles"): read word by word.
            parts = words[position].split("-")
            correctable[position : position + 1] = [correctable[position]] * len(parts)
            words[position : position + 1] = parts
            written[position : position + 1] = written[position].split("-")
            continue
        if found is None:
            out.append(words[position])
            position += 1
            continue
        english, size = found
        known += 1
        if english:
            out.append(english)
        position += size
    return re.sub(r" ([?!.,;])", r"\1", " ".join(out)) if known else None


def _lookup(
    words: list[str],
    written: list[str],
    position: int,
    order: list[str],
    tables: dict[str, Tables],
    correctable: bool,
) -> tuple[str, int] | None:
    if not _WORD.fullmatch(words[position]):
        return None
    for size in range(min(MAX_PHRASE, len(words) - position), 0, -1):
        phrase = tuple(words[position : position + size])
        if size == 1 and written[position] != words[position]:
            for lang in order:
                english = tables[lang][2].get(written[position])
                if english is not None:
                    return english, 1
        for lang in order:
            english = tables[lang][0].get(phrase)
            if english is not None:
                return english, size
    word = words[position]
    for lang in order[:2]:
        english = tables[lang][1].get(_stemmer(lang).stemWord(word))
        if english is None:
            english = _singular(word, lang, tables[lang][0])
        if english is not None:
            return english, 1
    for lang in (lang for lang in order[:2] if lang in COMPOUNDING):
        english = _compound(word, lang, tables[lang])
        if english is not None:
            return english, 1
    if correctable and len(word) >= spelling.SWAP_MIN_LENGTH and not word.isdigit():
        # A typo ("cancelr", "abbonamnto", "hoora"): one edit away (two from 8 letters; a short word only as
        # two letters swapped, "mduo") from a word of the message's likeliest language that starts with the
        # same letter (the glossary has no frequencies to tell "rauch" from "auch"), the likeliest as English
        # typos are read (`spelling.likeliest`: the fewest edits, then a swap).
        lang = order[0]
        if len(word) < spelling.TYPO_MIN_LENGTH:
            found = [(1, swapped) for swapped in spelling.swaps(word) if (swapped,) in tables[lang][0]]
        else:
            found = [
                (edits, candidate)
                for edits, candidate in spelling.within(word, _single_words(lang), spelling.typo_edits(word))
                if candidate[0] == word[0]
            ]
        if found:
            return tables[lang][0][(spelling.likeliest(word, found),)], 1
    return None


def _singular(word: str, lang: str, written: dict[tuple[str, ...], str]) -> str | None:
    """A plural the stemmer does not read as its singular, by its ending (`PLURAL_ENDINGS`): the singular's
    English where the glossary holds the singular as written."""
    for ending, replacement in PLURAL_ENDINGS[lang]:
        singular = (word[: -len(ending)] + replacement,)
        if word.endswith(ending) and len(word) >= SHORTEST_PLURAL.get(ending, 0) and singular in written:
            return written[singular]
    return None


def _known(part: str, lang: str, table: Tables, inflected: bool) -> str | None:
    """A compound's part as a word the glossary holds: as written, or by its stem. Only the last part is
    inflected ("-kosten"); a part before it is read by its stem only where it is its own bare stem
    ("Bestell-"): else the stemmer reads into it ("geburtstagst" stems to "geburtstag", leaving "-orten")."""
    english = table[0].get((part,))
    if english is None:
        stem = _stemmer(lang).stemWord(part)
        english = table[1].get(stem) if inflected or stem == part else None
    return english


def _first_part(head: str, lang: str, table: Tables) -> str | None:
    """A part before the last, with or without the language's linking element ("Reinigungs-", "verhuis-")."""
    for link in ("", *LINKING[lang]):
        if head.endswith(link) and len(head) - len(link) >= COMPOUND_PART:
            english = _known(head[: len(head) - len(link)], lang, table, inflected=False)
            if english:
                return english
    return None


def _compound(word: str, lang: str, table: Tables) -> str | None:
    """German and Dutch write compounds closed ("Mindestbestellmenge", "eindschoonmaak"): a word the glossary
    does not hold whole reads as the English of its parts, in their order ("minimum order amount"), when every
    part is a word it knows. Two parts before three; then the longest first part."""
    if not word.isalpha():
        return None
    return next(
        (english for parts in range(2, COMPOUND_PARTS + 1) if (english := _parts(word, lang, table, parts))),
        None,
    )


def _parts(word: str, lang: str, table: Tables, parts: int) -> str | None:
    """`word` read as exactly `parts` parts, the longest first part first ("mindest" + "bestell|menge")."""
    if parts == 1:
        return _known(word, lang, table, inflected=True) if len(word) >= COMPOUND_PART else None
    for cut in range(len(word) - COMPOUND_PART, COMPOUND_PART - 1, -1):
        head = _first_part(word[:cut], lang, table)
        rest = _parts(word[cut:], lang, table, parts - 1) if head else None
        if rest:
            return f"{head} {rest}"
    return None


@cache
def _single_words(lang: str) -> list[str]:
    return sorted(
        words[0]
        for words in _glossary()[lang][0]
        if len(words) == 1 and len(words[0]) >= spelling.SWAP_MIN_LENGTH - 1
    )


@lru_cache(maxsize=1024)  # one message is read by the classifier and by retrieval, whole and by clause
def readable_text(
    text: str, encoder: SentenceEncoder, threshold: float, protected: frozenset[str] | None = None
) -> str | None:
    """What the encoder should read for a message: the message itself, or its English gloss when the
    encoder cannot read the message (under `threshold` of its words known) but can read the gloss; None
    when it can read neither. With `protected` (a customer's message: the words of the tenant's KB, which
    are never corrected), English typos are read as the words meant (`spelling`), and a message of so
    many typos that the encoder could not read it is read corrected."""

    def known(word: str) -> bool:
        return encoder.reads(word) >= 1.0

    if encoder.reads(text) >= threshold:
        return text if protected is None else spelling.corrected(text, protected, known)
    gloss = english_gloss(text)
    if gloss and encoder.reads(gloss) >= threshold:
        return gloss
    if protected is None:
        return None
    fixed = spelling.corrected(text, protected, known)
    return fixed if fixed != text and encoder.reads(fixed) >= threshold else None
