"""`make models`: SymSpell's English frequency dictionary, by which `liveagent.detection.spelling` reads
typos.

Source: the symspellpy 6.10.1 wheel on PyPI (MIT), which ships SymSpell's
`frequency_dictionary_en_82_765.txt` (Google Books Ngram counts, CC BY 3.0, intersected with SCOWL). The wheel
and the file are checked against pinned hashes (DATA_CARD.md) and the file is copied out unchanged, into
`liveagent.dictionaries`, not the detection package: a general English dictionary holds every tenant's
everyday words ("coffee"), and the detection package holds none (`tests/detection/test_no_tenant_words.py`).
Not committed.
"""

from __future__ import annotations

import zipfile

from infra.detection.build_encoder import fetch_wheel, sha256
from liveagent.dictionaries import ENGLISH_DICTIONARY, ENGLISH_DICTIONARY_SHA256

WHEEL = "symspellpy==6.10.1"
WHEEL_SHA256 = "a653a6c125839a21ada87c3e044d690fc3b39872efbd7b7270db3de9471315e1"


def fetch() -> None:
    wheel = fetch_wheel(WHEEL, "symspellpy-6.10.1-*.whl", WHEEL_SHA256)
    ENGLISH_DICTIONARY.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        ENGLISH_DICTIONARY.write_bytes(archive.read(f"symspellpy/{ENGLISH_DICTIONARY.name}"))
    if sha256(ENGLISH_DICTIONARY) != ENGLISH_DICTIONARY_SHA256:
        ENGLISH_DICTIONARY.unlink()
        raise SystemExit(f"error: {ENGLISH_DICTIONARY.name} in {wheel} does not have the pinned hash")
    print(f"wrote {ENGLISH_DICTIONARY} sha256 {ENGLISH_DICTIONARY_SHA256}")


if __name__ == "__main__":
    fetch()
