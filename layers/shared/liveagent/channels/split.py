"""Splitting long texts into messages the channel accepts, on sentence or word boundaries, in order."""

from __future__ import annotations

import re

WHATSAPP_MAX_CHARS = 4096
INSTAGRAM_MAX_BYTES = 1000

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def _fits(text: str, limit: int, unit: str) -> bool:
    return (len(text.encode("utf-8")) if unit == "bytes" else len(text)) <= limit


def _hard_split(word: str, limit: int, unit: str) -> list[str]:
    parts, current = [], ""
    for char in word:
        if not _fits(current + char, limit, unit):
            parts.append(current)
            current = ""
        current += char
    return [*parts, current] if current else parts


def split_text(text: str, limit: int, unit: str = "chars") -> list[str]:
    """Pieces of at most `limit` (characters or UTF-8 bytes), cut after a sentence if possible, else
    between words, else inside a word; joined with spaces they give the text back."""
    text = text.strip()
    if _fits(text, limit, unit):
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in (s for s in _SENTENCE_END.split(text) if s):
        for word in sentence.split(" ") if not _fits(sentence, limit, unit) else [sentence]:
            for chunk in _hard_split(word, limit, unit) if not _fits(word, limit, unit) else [word]:
                candidate = f"{current} {chunk}" if current else chunk
                if _fits(candidate, limit, unit):
                    current = candidate
                else:
                    pieces.append(current)
                    current = chunk
    if current:
        pieces.append(current)
    return pieces


def limits_for(channel: str) -> tuple[int, str]:
    return (WHATSAPP_MAX_CHARS, "chars") if channel == "whatsapp" else (INSTAGRAM_MAX_BYTES, "bytes")
