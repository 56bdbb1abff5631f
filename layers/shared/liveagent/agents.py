"""The team: agents and admins of a tenant, with routing attributes and live load (Agents table)."""

from __future__ import annotations

from typing import Literal

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from liveagent import (
    config,
    storage,  # noqa: F401  (its table model shares one botocore session per thread)
)
from liveagent.errors import NotFound

AgentStatus = Literal["online", "away", "offline"]


class NotifySettings(MapAttribute):
    email = BooleanAttribute(default=True)
    sms = BooleanAttribute(default=False)
    in_app = BooleanAttribute(default=True)


class AgentModel(Model):
    class Meta:
        table_name = config.table_name("AGENTS_TABLE")
        region = config.region()

    tenant_id = UnicodeAttribute(hash_key=True)
    agent_id = UnicodeAttribute(range_key=True)  # the Cognito user's sub
    email = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    permission = UnicodeAttribute(default="agent")  # "admin" | "agent"
    departments = ListAttribute(of=UnicodeAttribute, default=list)
    roles = ListAttribute(of=UnicodeAttribute, default=list)
    capacity = NumberAttribute(default=5)
    status = UnicodeAttribute(default="offline")
    open_count = NumberAttribute(default=0)
    last_assigned_at = UnicodeAttribute(default="")
    phone = UnicodeAttribute(null=True)
    notify = NotifySettings(default=NotifySettings)
    last_test_at = UnicodeAttribute(null=True)  # the last test notification (one per TEST_INTERVAL)

    def to_api(self) -> dict:
        return {
            "id": self.agent_id,
            "email": self.email,
            "name": self.name,
            "permission": self.permission,
            "departments": list(self.departments or []),
            "roles": list(self.roles or []),
            "capacity": int(self.capacity),
            "status": self.status,
            "open_tickets": int(self.open_count),
            "phone": self.phone,
            "notify": {"email": self.notify.email, "sms": self.notify.sms, "in_app": self.notify.in_app},
        }


def get_agent(tenant_id: str, agent_id: str) -> AgentModel:
    try:
        return AgentModel.get(tenant_id, agent_id)
    except AgentModel.DoesNotExist as exc:
        raise NotFound(f"agent '{agent_id}' not found") from exc


def find_agent(tenant_id: str, agent_id: str | None) -> AgentModel | None:
    if not agent_id:
        return None
    try:
        return AgentModel.get(tenant_id, agent_id)
    except AgentModel.DoesNotExist:
        return None


TEST_INTERVAL_SECONDS = 60


def claim_test_notification(agent: AgentModel) -> bool:
    """One test notification per agent per TEST_INTERVAL_SECONDS (each sends an email and an SMS, which
    cost money and can be abused): True when this request may send one. A conditional write, so two
    clicks at once send one."""
    from datetime import timedelta

    from pynamodb.exceptions import UpdateError

    from liveagent.ids import iso, now_iso, utc_now

    before = iso(utc_now() - timedelta(seconds=TEST_INTERVAL_SECONDS))
    try:
        agent.update(
            actions=[AgentModel.last_test_at.set(now_iso())],
            condition=AgentModel.last_test_at.does_not_exist() | (AgentModel.last_test_at < before),
        )
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
        return False
    return True


def team(tenant_id: str) -> list[AgentModel]:
    return list(AgentModel.query(tenant_id))


def admins(members: list[AgentModel]) -> list[AgentModel]:
    return [a for a in members if a.permission == "admin"]
