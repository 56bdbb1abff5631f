"""General-language word lists the layer reads, kept out of `liveagent.detection`.

A general English dictionary holds every tenant's everyday words ("coffee", "espresso"), and the detection
package holds no tenant's words (`tests/detection/test_no_tenant_words.py` reads every file in it). So the
dictionary `detection.spelling` reads typos by lives here: SymSpell's English frequency dictionary, fetched
by `make models` from a pinned published wheel (`infra/detection/fetch_dictionary.py`, DATA_CARD.md), not
committed.
"""

from __future__ import annotations

from pathlib import Path

ENGLISH_DICTIONARY = Path(__file__).resolve().parent / "english" / "frequency_dictionary_en_82_765.txt"
ENGLISH_DICTIONARY_SHA256 = "68e9dc81c7e73bd7310b57e516ecaea0d8b6387ff71344a57c04174650a407a7"
