"""The audit log of admin changes: who changed what, and when (Audit table)."""

from __future__ import annotations

import time

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from liveagent import (
    config,
    storage,  # noqa: F401  (its table model shares one botocore session per thread)
)
from liveagent.auth import Caller
from liveagent.ids import new_ulid, now_iso

RETENTION_SECONDS = 2 * 365 * 86400


class AuditModel(Model):
    class Meta:
        table_name = config.table_name("AUDIT_TABLE")
        region = config.region()

    tenant_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # "<iso>#<ulid>": newest last
    at = UnicodeAttribute()
    actor = UnicodeAttribute()
    actor_email = UnicodeAttribute(default="")
    action = UnicodeAttribute()  # e.g. "settings.update", "knowledge.delete", "agent.update"
    target = UnicodeAttribute(default="")
    details = JSONAttribute(default=dict)
    expires_at = NumberAttribute()

    def to_api(self) -> dict:
        return {"at": self.at, "actor": self.actor, "actor_email": self.actor_email, "action": self.action,
                "target": self.target, "details": self.details or {}}  # fmt: skip


def record(caller: Caller, action: str, target: str, details: dict | None = None) -> None:
    at = now_iso()
    AuditModel(
        caller.tenant_id,
        f"{at}#{new_ulid()}",
        at=at,
        actor=caller.id,
        actor_email=caller.username,
        action=action,
        target=target,
        details=details or {},
        expires_at=int(time.time()) + RETENTION_SECONDS,
    ).save()


def recent(tenant_id: str, limit: int = 100) -> list[AuditModel]:
    return list(AuditModel.query(tenant_id, scan_index_forward=False, limit=limit))
