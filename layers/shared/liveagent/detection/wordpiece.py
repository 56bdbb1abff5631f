"""BERT's uncased WordPiece tokenizer in plain Python, read from the model's own tokenizer.json.

Why not the `tokenizers` package: it pulls huggingface_hub and hf_xet into the Lambda layer (26 MB of the
250 MB limit) for what is, for one short message, a few dozen dictionary lookups. The ids are the same as
`tokenizers`' for this model's BertNormalizer + BertPreTokenizer + WordPiece (a test compares both on
every text of the corpus and the evaluation sets).
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # BERT treats every non-letter/number ASCII symbol as punctuation ("$", "^", "`"), and Unicode P*.
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_chinese(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _normalise(text: str) -> str:
    """BertNormalizer(clean_text, handle_chinese_chars, lowercase, strip_accents)."""
    if text.isascii() and text.isprintable():
        return text.lower()  # no control, Chinese or accented character to handle: the same result
    out = []
    for char in text:
        code = ord(char)
        if (
            code == 0
            or code == 0xFFFD
            or (unicodedata.category(char).startswith("C") and char not in "\t\n\r")
        ):
            continue
        if char in "\t\n\r" or unicodedata.category(char) == "Zs":
            out.append(" ")
        elif _is_chinese(code):
            out.append(f" {char} ")
        else:
            out.append(char)
    lowered = "".join(out).lower()
    return "".join(c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn")


def _pre_tokenise(text: str) -> list[str]:
    """BertPreTokenizer: split on whitespace; every punctuation character is a word of its own."""
    words: list[str] = []
    for chunk in text.split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                    current = ""
                words.append(char)
            else:
                current += char
        if current:
            words.append(current)
    return words


class WordPiece:
    def __init__(self, tokenizer_json: Path) -> None:
        spec = json.loads(tokenizer_json.read_text())
        model = spec["model"]
        self.vocab: dict[str, int] = model["vocab"]
        self._unk = self.vocab[model["unk_token"]]
        self._prefix = model["continuing_subword_prefix"]
        self._max_chars = model["max_input_chars_per_word"]
        self.cls, self.sep, self.pad = self.vocab["[CLS]"], self.vocab["[SEP]"], self.vocab["[PAD]"]

    def token_id(self, word: str) -> int | None:
        return self.vocab.get(word)

    @lru_cache(maxsize=65536)  # noqa: B019 - one tokenizer per process, words repeat across messages
    def _word_ids(self, word: str) -> tuple[int, ...]:
        if len(word) > self._max_chars:
            return (self._unk,)
        ids, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else self._prefix + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return (self._unk,)
            ids.append(found)
            start = end
        return tuple(ids)

    def encode(self, text: str, max_tokens: int = 128) -> list[int]:
        """[CLS] + word pieces + [SEP], truncated to max_tokens in all."""
        ids = [i for word in _pre_tokenise(_normalise(text)) for i in self._word_ids(word)]
        return [self.cls, *ids[: max_tokens - 2], self.sep]
