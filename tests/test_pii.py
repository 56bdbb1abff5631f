"""Customer phone numbers and message text never reach the logs in clear."""

from __future__ import annotations

import json

from liveagent.channels import inbound
from liveagent.observability import redact
from tests.conftest import FIXTURES


def test_redaction_keeps_structure_and_ids_but_not_people() -> None:
    item = {"from": "15551234567", "id": "wamid.1", "type": "text", "text": {"body": "my card 4242 is blocked"},
            "contacts": [{"profile": {"name": "Maria"}, "wa_id": "15551234567"}]}  # fmt: skip
    clean = json.dumps(redact(item))
    assert "15551234567" not in clean and "4242" not in clean and "Maria" not in clean
    assert "wamid.1" in clean and '"type": "text"' in clean


def test_unparseable_items_are_logged_without_pii() -> None:
    import io
    import logging

    from liveagent.observability import logger

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)  # the same JSON lines Lambda would write
    logger._logger.addHandler(handler)
    payload = json.loads((FIXTURES / "whatsapp" / "message.json").read_text())["text"]
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"] = [
        {"id": "wamid.broken", "type": "text", "text": {"body": "call me on +44 7700 900123"}}
    ]
    try:
        batch = inbound.normalize(payload)  # no "from": the item cannot be normalized and is logged
    finally:
        logger._logger.removeHandler(handler)
    assert batch.failed == 1
    logged = buffer.getvalue()
    assert "wamid.broken" in logged and "7700 900123" not in logged
