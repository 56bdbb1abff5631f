"""The KB draft of an agent's reply: what the bot may say to every customer."""

from __future__ import annotations

import pytest

from liveagent.knowledge import draft_answer


@pytest.mark.parametrize(
    ("reply", "name", "draft"),
    [
        ("Hi Priya, yes we ship to Canada in 5-7 days. Thanks, Priya!", "Priya Shah", "Yes we ship to Canada in 5-7 days."),
        ("Hello Dana Demo! Yes, we repair them in our Portland workshop.", "Dana Demo", "Yes, we repair them in our Portland workshop."),
        ("Hey there, you can return it within 30 days, Omar. Cheers", "Omar", "You can return it within 30 days."),
        ("Hola Lucía, el envío tarda 2 días.", "Lucía", "El envío tarda 2 días."),
        # Nothing personal: the reply exactly as written (CONTRACT: the default is the last agent reply).
        ("Standard delivery takes 2-4 business days", "Priya", "Standard delivery takes 2-4 business days"),
        ("Hi!", None, "Hi!"),
    ],
)  # fmt: skip
def test_the_draft_keeps_the_answer_and_drops_what_was_personal(
    reply: str, name: str | None, draft: str
) -> None:
    assert draft_answer(reply, name) == draft
