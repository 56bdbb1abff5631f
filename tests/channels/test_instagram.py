"""Instagram events, from Meta's documented shapes (tests/fixtures/meta/instagram/events.json)."""

from __future__ import annotations

import json

from liveagent.channels import inbound
from tests.conftest import FIXTURES

EVENTS = json.loads((FIXTURES / "instagram" / "events.json").read_text())


def _message(name: str):
    batch = inbound.normalize(EVENTS[name])
    assert batch.failed == 0
    return batch.messages[0] if batch.messages else batch


def test_text_reply_and_story_reply() -> None:
    text = _message("text")
    assert (text.channel, text.customer_id, text.kind, text.actionable) == (
        "instagram",
        "IGSID-1001",
        "text",
        True,
    )
    assert _message("reply").reply_to == "aWdfZAG1earlier"
    story = _message("story_reply")
    assert story.note == "reply to your story" and story.text.startswith("love this")


def test_attachments_get_placeholders_and_keep_the_media_url() -> None:
    for kind in ("image", "video", "audio", "file", "share", "story_mention", "ig_reel", "reel"):
        message = _message(kind)
        assert message.kind == kind and message.text.startswith(f"[{kind}]") and message.media_id
    assert _message("ig_reel").text == "[ig_reel] Our new roast"
    assert _message("story_mention").note == "mentioned you in their story"


def test_quick_replies_and_postbacks_are_customer_choices() -> None:
    assert (_message("quick_reply").kind, _message("quick_reply").text) == ("quick_reply", "Track my order")
    postback = _message("postback")
    assert (postback.kind, postback.text, postback.message_id) == (
        "postback",
        "Talk to a person",
        "aWdfZAG1postback1",
    )


def test_echoes_reactions_deleted_unsupported_and_reads() -> None:
    for name in ("echo", "reaction", "unreaction"):
        batch = inbound.normalize(EVENTS[name])
        assert batch.messages == [] and batch.ignored == 1, name
    deleted = _message("deleted")
    assert deleted.kind == "deleted" and not deleted.actionable and deleted.deletes == deleted.message_id
    assert not _message("unsupported").actionable
    read = inbound.normalize(EVENTS["read"])
    assert read.statuses[0].status == "read" and read.statuses[0].message_id == "aWdfZAG1ours1"
