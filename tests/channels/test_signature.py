from __future__ import annotations

from liveagent.channels.signature import sign, verify_signature

BODY = b'{"object":"whatsapp_business_account","text":"caf\\u00e9 \\ud83d\\ude00 \\/ <b>"}'


def test_signature_over_the_raw_bytes_with_either_secret() -> None:
    header = sign(BODY, "instagram-secret")
    assert verify_signature(BODY, header, ["facebook-secret", "instagram-secret"])
    assert not verify_signature(BODY, header, ["facebook-secret"])


def test_reserialized_body_does_not_match() -> None:
    import json

    header = sign(BODY, "s")
    assert not verify_signature(json.dumps(json.loads(BODY)).encode(), header, ["s"])


def test_missing_malformed_or_non_ascii_headers_are_rejected_without_error() -> None:
    for header in (None, "", "sha256=", "md5=abc", "sha256=zzzz", "sha256=caf\u00e9"):
        assert not verify_signature(BODY, header, ["s"])
    assert not verify_signature(BODY, sign(BODY, "s"), [])
