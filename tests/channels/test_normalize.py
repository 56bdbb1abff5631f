"""Every real-format payload normalizes into one internal shape, or is ignored on purpose."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from liveagent.channels import inbound
from liveagent.channels.windows import reply_mode
from tests.conftest import FIXTURES, instagram_text


def _variants(name: str) -> dict[str, dict]:
    return json.loads((FIXTURES / "whatsapp" / f"{name}.json").read_text())


def test_whatsapp_text_with_profile_name() -> None:
    batch = inbound.normalize(_variants("message")["text"])
    [message] = batch.messages
    assert (message.channel, message.account_id, message.customer_id) == (
        "whatsapp",
        "1122334455667",
        "972987654321",
    )
    assert message.customer_name == "Test Name" and message.text == "Body Text" and message.kind == "text"
    assert message.at == datetime.fromtimestamp(1697043223, UTC)


def test_whatsapp_non_text_types_get_readable_placeholders_and_keep_media_ids() -> None:
    variants = _variants("message")
    image = inbound.normalize(variants["image"]).messages[0]
    assert image.kind == "image" and image.text.startswith("[image]") and image.media_id == "65463453"
    location = inbound.normalize(variants["chosen_location"]).messages[0]
    assert location.text == "[location] Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025"
    contacts = inbound.normalize(variants["contacts"]).messages[0]
    assert "Chandler Bing" in contacts.text
    button = inbound.normalize(_variants("callback_button")["button"]).messages[0]
    assert (button.kind, button.text) == ("button_reply", "title")
    quick = inbound.normalize(_variants("callback_button")["quick_reply"]).messages[0]
    assert (quick.kind, quick.text) == ("button", "title")
    reply = inbound.normalize(variants["reply"]).messages[0]
    assert reply.reply_to == "wamid.xyzxyz=="


def test_reactions_and_deletions_are_kept_but_ask_for_no_answer_and_system_is_ignored() -> None:
    reaction = inbound.normalize(_variants("message")["reaction"]).messages[0]
    assert (reaction.kind, reaction.text, reaction.actionable) == ("reaction", "[reaction \U0001f62e]", False)
    deleted = inbound.normalize(_variants("deleted_message")["revoke"]).messages[0]
    assert (
        deleted.kind == "deleted"
        and not deleted.actionable
        and deleted.deletes == "<ORIGINAL_WHATSAPP_MESSAGE_ID>"
    )
    sticker = inbound.normalize(_variants("message")["static_sticker"]).messages[0]
    assert sticker.kind == "sticker" and not sticker.actionable
    system = inbound.normalize(_variants("system")["identity_change"])
    assert system.messages == [] and system.ignored == 1


def test_edits_voice_forwards_and_ad_referrals_are_described_for_agents() -> None:
    edited = inbound.normalize(_variants("edited_message")["image"]).messages[0]
    assert (
        edited.kind == "edited"
        and edited.text == "[edited] [image] Updated image caption"
        and edited.actionable
    )
    voice = inbound.normalize(_variants("message")["voice"]).messages[0]
    assert voice.kind == "voice" and voice.media_id
    assert inbound.normalize(_variants("message")["forwarded"]).messages[0].note == "forwarded"
    assert (
        inbound.normalize(_variants("message")["forwarded_many_times"]).messages[0].note
        == "forwarded many times"
    )
    referral = inbound.normalize(_variants("message")["referral"]).messages[0]
    assert referral.note == "via ad: AD_TITLE" and referral.text == "BODY"
    assert not inbound.normalize(_variants("message")["unsupported"]).messages[0].actionable


def test_every_fixture_variant_normalizes_without_failure() -> None:
    for path in sorted((FIXTURES / "whatsapp").glob("*.json")):
        for name, payload in json.loads(path.read_text()).items():
            batch = inbound.normalize(payload)
            assert batch is not None and batch.failed == 0, f"{path.name}:{name}"


def test_statuses_are_normalized_with_meta_error_codes() -> None:
    statuses = _variants("message_status")
    assert inbound.normalize(statuses["read"]).statuses[0].status == "read"
    failed = inbound.normalize(statuses["failed"]).statuses[0]
    assert failed.status == "failed" and failed.error_code == 130472


def test_one_bad_item_never_drops_its_neighbours() -> None:
    payload = _variants("message")["text"]
    good = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    payload["entry"][0]["changes"][0]["value"]["messages"] = [{"type": "text"}, good]
    batch = inbound.normalize(payload)
    assert batch.failed == 1 and [m.text for m in batch.messages] == ["Body Text"]


def test_instagram_text_and_echo() -> None:
    batch = inbound.normalize(instagram_text("hello there", sender="IGSID-1", mid="m_1"))
    [message] = batch.messages
    assert (message.channel, message.customer_id, message.message_id, message.text) == (
        "instagram",
        "IGSID-1",
        "m_1",
        "hello there",
    )
    assert inbound.normalize(instagram_text("ours", echo=True)).messages == []


def test_unhandled_objects_are_not_normalized() -> None:
    assert inbound.normalize({"object": "page", "entry": []}) is None


def test_messaging_windows() -> None:
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert reply_mode("whatsapp", now - timedelta(hours=23), now) == "open"
    assert reply_mode("whatsapp", now - timedelta(hours=25), now) == "template_only"
    assert reply_mode("instagram", now - timedelta(hours=25), now) == "human_agent_tag"
    assert reply_mode("instagram", now - timedelta(days=8), now) == "closed"
    assert reply_mode("whatsapp", None, now) == "template_only"
