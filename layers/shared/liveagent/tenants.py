"""Tenants and their settings documents (Tenants table)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from liveagent import (
    config,
    storage,  # noqa: F401  (its table model shares one botocore session per thread)
)
from liveagent.errors import Conflict, NotFound
from liveagent.ids import now_iso
from liveagent.settings import TenantSettings


class TenantModel(Model):
    class Meta:
        table_name = config.table_name("TENANTS_TABLE")
        region = config.region()

    tenant_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(default="")
    settings = JSONAttribute(default=dict)
    # {"escalation": {"updated_at", "updated_by"}, ...}: who changed each settings document last.
    versions = JSONAttribute(default=dict)
    revision = NumberAttribute(default=0)  # +1 on every settings change: writes conditional on it


def get_tenant(tenant_id: str, *, consistent: bool = False) -> TenantModel:
    try:
        return TenantModel.get(tenant_id, consistent_read=consistent)
    except TenantModel.DoesNotExist as exc:
        raise NotFound(f"tenant '{tenant_id}' not found") from exc


def load_settings(tenant_id: str) -> TenantSettings:
    return TenantSettings.model_validate(get_tenant(tenant_id).settings or {})


def save_tenant(tenant_id: str, name: str, settings: TenantSettings) -> TenantModel:
    tenant = TenantModel(tenant_id, name=name, settings=settings.model_dump(mode="json"), versions={})
    tenant.save()
    return tenant


class SettingsConflict(Conflict):
    """The document changed since the caller read it: the answer carries the current one."""

    def __init__(self, field: str, current: dict) -> None:
        when = current.get("updated_at") or "just now"
        super().__init__(
            f"These {field.replace('_', ' ')} settings were changed by someone else ({when}) since you "
            "read them; here they are as they are now: make your change again on top of them.",
            code="conflict",
        )
        self.details = {"current": current}


_UNCHECKED = object()  # the caller did not say which version it read: last writer wins


def update_settings_document(
    tenant_id: str, field: str, document: dict, updated_by: str, read_at: str | object | None = _UNCHECKED
) -> dict:
    """Replace one settings document (e.g. "routing"), recording who changed it and when.

    `read_at`: the `updated_at` the caller read the document with; when it changed since, nothing is
    written and SettingsConflict carries the current document. The write is conditional on the tenant's
    revision, so two admins saving at once (even different documents) never lose a change: the one that
    lost the race re-reads and applies its own document again."""
    for _ in range(5):
        tenant = get_tenant(tenant_id, consistent=True)
        version = (tenant.versions or {}).get(field, {})
        if read_at is not _UNCHECKED and version.get("updated_at") != read_at:
            current = TenantSettings.model_validate(tenant.settings or {}).model_dump(mode="json")[field]
            raise SettingsConflict(field, {**current, **version})
        settings = {**(tenant.settings or {}), field: document}
        TenantSettings.model_validate(settings)  # the whole set must stay valid
        versions = {**(tenant.versions or {}), field: {"updated_at": now_iso(), "updated_by": updated_by}}
        revision = int(tenant.revision or 0)
        unchanged = TenantModel.revision == revision
        if revision == 0:  # tenants written before revisions existed
            unchanged = unchanged | TenantModel.revision.does_not_exist()
        try:
            tenant.update(
                actions=[
                    TenantModel.settings.set(settings),
                    TenantModel.versions.set(versions),
                    TenantModel.revision.set(revision + 1),
                ],
                condition=unchanged,
            )
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise
            continue  # someone saved meanwhile: read again, apply ours on top
        return versions[field]
    raise Conflict("the settings are being changed by others right now; try again", code="conflict")
