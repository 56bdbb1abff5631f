"""Text folding, tokens and a light stemmer shared by the detection signals."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import Stemmer

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = """
a an the is are was were be been am i you we they he she it my your our me us do does did can could would
should will shall to of in on at for from by with and or but if so this that these those there what which
who whom how when where why please pls hi hello hey thanks thank any some have has had get got just about
into out up than then too very im its not no yes ok okay u ur
"""
STOP_WORDS = frozenset(_STOP.split())


def fold(text: str) -> str:
    """Lowercase without accents ("Café" -> "cafe") so patterns work across languages."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


_STEMMER = Stemmer.Stemmer("english")


@cache
def stem(token: str) -> str:
    """Snowball (Porter2) English stem: refund, refunds, refunded, refundable -> refund."""
    return _STEMMER.stemWord(token)


def content_terms(text: str) -> list[str]:
    return [stem(t) for t in tokens(text) if t not in STOP_WORDS and len(t) > 1]
