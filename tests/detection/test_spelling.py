"""English typos are read as the words meant, and nothing else is: not an English word however unlikely, not a
tenant's own word, not a name."""

from __future__ import annotations

from pathlib import Path

import pytest

from liveagent.detection import KnowledgeIndex, detect
from liveagent.detection.evaluate import read_kb
from liveagent.detection.spelling import corrected
from liveagent.settings import EscalationSettings

COFFEE = Path(__file__).resolve().parents[1] / "fixtures" / "eval" / "kb.json"


def test_a_typo_is_read_as_the_word_meant() -> None:
    assert corrected("r u oppen on saturdy?") == "r u open on saturday?"
    assert corrected("customer servise rep please") == "customer service rep please"
    # a swap before a commoner word one edit away; the first letter kept before a commoner word
    assert corrected("clsoed") == "closed"
    # a four-letter word, only as two letters swapped ("bday" and "mins" stay: see below)
    assert corrected("r u opne?") == "r u open?"
    assert corrected("mannual") == "manual"
    # letters drawn out
    assert corrected("pleeeease helllp, sooooo late") == "please help, so late"
    # two edits from eight letters
    assert corrected("the guaranteee on the battrey") == "the guarantee on the battery"


@pytest.mark.parametrize(
    "text",
    [
        "I need to update my personal details",  # an English word is never another ("person")
        "can you wash it?",
        "dont wanna wait, cant you do it today?",  # contractions typed without the apostrophe
        "is Gemma in today?",  # a name
        "the cake said GEMMA, her name is EMMA",  # capitals
        "u r the best, thx",  # short words: abbreviations as often as typos
        "running 10 mins late, bday dinner",
        "order 4x2kg",  # digits
    ],
)
def test_what_is_not_a_typo_is_left_as_written(text: str) -> None:
    assert corrected(text) == text


def test_a_tenants_own_words_and_the_words_the_encoder_knows_are_never_corrected() -> None:
    # "venmo" is one edit from "venom": a way to pay where the KB names it
    assert corrected("can i pay by venmo?", frozenset({"venmo"})) == "can i pay by venmo?"
    assert corrected("can i pay by venmo?") == "can i pay by venom?"
    assert (
        corrected("alexa, where is my order", reads=lambda word: word == "alexa")
        == "alexa, where is my order"
    )


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("do you shipp internationaly?", "kb-international"),  # escalated before
        ("how do i chnage my adress?", "kb-change-address"),  # answered with the cafés' locations before
        ("can i cancle my subscripton?", "kb-cancel-subscription"),
        ("is there a loyality program?", "kb-loyalty"),
    ],
)
def test_a_question_with_typos_is_answered_as_it_is_without_them(text: str, entry: str) -> None:
    decision = detect(text, [], EscalationSettings(), KnowledgeIndex(read_kb(COFFEE)))
    assert not decision.escalate
    assert decision.kb_id == entry
    assert decision.confidence >= 0.8
