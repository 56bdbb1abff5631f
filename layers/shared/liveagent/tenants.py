"""Tenants and their settings documents (Tenants table)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.models import Model

from liveagent import (
    config,
    storage,  # noqa: F401  (its table model shares one botocore session per thread)
)
from liveagent.errors import NotFound
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


def get_tenant(tenant_id: str) -> TenantModel:
    try:
        return TenantModel.get(tenant_id)
    except TenantModel.DoesNotExist as exc:
        raise NotFound(f"tenant '{tenant_id}' not found") from exc


def load_settings(tenant_id: str) -> TenantSettings:
    return TenantSettings.model_validate(get_tenant(tenant_id).settings or {})


def save_tenant(tenant_id: str, name: str, settings: TenantSettings) -> TenantModel:
    tenant = TenantModel(tenant_id, name=name, settings=settings.model_dump(mode="json"), versions={})
    tenant.save()
    return tenant


def update_settings_document(tenant_id: str, field: str, document: dict, updated_by: str) -> dict:
    """Replace one settings document (e.g. "routing"), recording who changed it and when."""
    tenant = get_tenant(tenant_id)
    settings = dict(tenant.settings or {})
    settings[field] = document
    TenantSettings.model_validate(settings)  # the whole set must stay valid
    versions = dict(tenant.versions or {})
    versions[field] = {"updated_at": now_iso(), "updated_by": updated_by}
    tenant.update(actions=[TenantModel.settings.set(settings), TenantModel.versions.set(versions)])
    return versions[field]
