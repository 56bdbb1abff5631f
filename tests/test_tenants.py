"""Settings documents on the tenant item: two admins saving at the same moment (AWS runs their requests on
separate Lambda instances, which the local gateway does not: it runs an HTTP function's requests one at a
time), on the stack's DynamoDB."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import botocore.client
import pytest

from liveagent import tenants
from tests.conftest import Client


def test_two_saves_that_read_the_tenant_at_once_both_keep_their_change(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both saves read the tenant, then both write: the barrier holds each write until the other save has
    # read too, the interleaving that loses a change when a write is not conditional on what was read.
    both_read = threading.Barrier(2, timeout=10)
    held = []
    make_api_call = botocore.client.BaseClient._make_api_call

    def writes_after_both_read(self, operation, params):  # botocore's, not ours: the request as sent
        if (
            operation == "UpdateItem"
            and params.get("TableName") == tenants.TenantModel.Meta.table_name
            and len(held) < 2
        ):
            held.append(operation)
            both_read.wait()
        return make_api_call(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", writes_after_both_read)
    admin = client.agent_id("admin@demo.test")
    before = tenants.get_tenant("demo").settings
    saves = [
        ("escalation", {**before["escalation"], "keywords": ["solicitor"]}),
        ("tickets", {**before.get("tickets", {}), "auto_close_hours": 12, "retention_days": 30}),
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda s: tenants.update_settings_document("demo", s[0], s[1], admin), saves))
    after = tenants.TenantModel.get("demo", consistent_read=True)
    assert len(held) == 2
    assert after.settings["escalation"]["keywords"] == ["solicitor"]
    assert after.settings["tickets"]["auto_close_hours"] == 12
    assert set(after.versions) >= {"escalation", "tickets"}


def test_a_save_made_on_an_old_version_is_refused_with_the_current_document(client: Client) -> None:
    admin = client.agent_id("admin@demo.test")
    document = tenants.get_tenant("demo").settings["escalation"]
    first = tenants.update_settings_document(
        "demo", "escalation", {**document, "keywords": ["a"]}, admin, None
    )
    with pytest.raises(tenants.SettingsConflict) as conflict:
        tenants.update_settings_document("demo", "escalation", {**document, "keywords": ["b"]}, admin, None)
    assert conflict.value.status == 409
    assert conflict.value.details["current"]["keywords"] == ["a"]
    assert conflict.value.details["current"]["updated_at"] == first["updated_at"]
    saved = tenants.update_settings_document(
        "demo", "escalation", {**document, "keywords": ["b"]}, admin, first["updated_at"]
    )
    assert saved["updated_at"] >= first["updated_at"]
    assert tenants.get_tenant("demo", consistent=True).settings["escalation"]["keywords"] == ["b"]
