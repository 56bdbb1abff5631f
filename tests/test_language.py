"""The customer's language (liveagent.language): told for chat messages in the seven languages, not
guessed for a word or two, and the committed model rebuilt byte for byte by `make train-detection`."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.detection.train_language import train
from liveagent import language
from liveagent.business_hours import offline_text
from liveagent.settings import BusinessHours, LocalizedMessages, Messages

# Written for this test (not in the training corpus): short chat messages as customers write them.
CHATS = {
    "en": "hey my parcel still hasnt shown up, can somebody check",
    "es": "oye mi paquete todavía no ha llegado, alguien lo puede revisar",
    "pt": "oi meu pacote ainda não chegou, alguém pode verificar",
    "fr": "salut mon colis n'est toujours pas arrivé, quelqu'un peut vérifier",
    "de": "hallo mein Paket ist immer noch nicht angekommen, kann jemand nachsehen",
    "it": "ciao il mio pacco non è ancora arrivato, qualcuno può controllare",
    "nl": "hoi mijn pakket is nog steeds niet aangekomen, kan iemand even kijken",
}


@pytest.mark.parametrize("expected", sorted(CHATS))
def test_a_chat_message_is_told_in_its_language(expected: str) -> None:
    detected = language.detect(CHATS[expected])
    assert detected is not None and detected.language == expected


@pytest.mark.parametrize("text", ["ok", "hola", "👍👍", "1234 5678"])
def test_too_little_to_tell_is_no_language(text: str) -> None:
    assert language.detect(text) is None


def test_the_committed_model_rebuilds_byte_for_byte(tmp_path: Path) -> None:
    rebuilt = tmp_path / "language.safetensors"
    train(rebuilt)
    assert rebuilt.read_bytes() == language.MODEL_FILE.read_bytes()


def test_texts_fall_back_to_the_tenants_own() -> None:
    messages = Messages(translations={"es": LocalizedMessages(acknowledgement="¡Gracias!")})
    assert messages.in_language("es").acknowledgement == "¡Gracias!"
    assert messages.in_language("fr").acknowledgement is None  # the caller sends the tenant's own
    assert messages.in_language(None).acknowledgement is None
    assert (
        Messages(language="es", translations=messages.translations).in_language("es").acknowledgement is None
    )


def test_a_translated_offline_message_without_its_reopening_sentence_says_no_time() -> None:
    from datetime import UTC, datetime

    hours = BusinessHours(timezone="UTC")
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    only_message = LocalizedMessages(offline_message="Estamos cerrados.")
    assert offline_text(hours, monday, only_message, "es") == "Estamos cerrados."
    both = LocalizedMessages(
        offline_message="Estamos cerrados.", reopening="Abrimos el {weekday} a las {time}."
    )
    assert offline_text(hours, monday, both, "es") == "Estamos cerrados. Abrimos el lunes a las 09:00."
    assert offline_text(hours, monday).endswith("We open again Monday at 09:00 (UTC).")
