"""The caller and the team: /api/me, status, agents."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, ConfigDict, Field

from liveagent import agents, audit, servability, ticket_actions
from liveagent.agents import AgentModel
from liveagent.api import current_caller
from liveagent.api.schemas import AgentList, AgentOut, AuditList, MeOut, Notify, TeamDirectory, TeamMemberOut
from liveagent.errors import Forbidden

router = Router()
E164 = r"^\+[1-9]\d{6,14}$"
# A department or role, as routing settings name them (letters, digits, _ and -).
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w-]+$")]


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["online", "away", "offline"]


class NotifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: bool | None = Field(None, strict=True)
    sms: bool | None = Field(None, strict=True)
    in_app: bool | None = Field(None, strict=True)


class AgentUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["online", "away", "offline"] | None = None
    notify: NotifyIn | None = None
    name: str | None = Field(None, max_length=120)
    departments: list[Name] | None = Field(None, max_length=50)
    roles: list[Name] | None = Field(None, max_length=50)
    capacity: int | None = Field(None, ge=0, le=100, strict=True)
    phone: str | None = Field(None, pattern=E164)


SELF_SERVICE = {"status", "notify"}


def set_status(agent: AgentModel, status: str) -> None:
    agent.update(actions=[AgentModel.status.set(status)])
    if status == "online":
        ticket_actions.drain_queue(agent.tenant_id, agent.agent_id)


@router.get("/api/me")
def me() -> MeOut:
    caller = current_caller(router)
    agent = agents.find_agent(caller.tenant_id, caller.id)
    return MeOut(
        id=caller.id,
        email=agent.email if agent else caller.username,
        tenant_id=caller.tenant_id,
        permission=caller.permission,
        status=agent.status if agent else None,
    )


@router.get("/api/me/notify")
def my_notify() -> Notify:
    """The caller's own notification channels ("My settings": agents may not list the team)."""
    caller = current_caller(router)
    return Notify.model_validate(agents.get_agent(caller.tenant_id, caller.id).to_api()["notify"])


@router.put("/api/me/status")
def put_my_status(body: Annotated[StatusIn, Body()]) -> AgentOut:
    caller = current_caller(router)
    agent = agents.get_agent(caller.tenant_id, caller.id)
    set_status(agent, body.status)
    return AgentOut.model_validate(agent.to_api())


@router.get("/api/team")
def team_directory() -> TeamDirectory:
    """The team as any signed-in user may see it: names, status and load, for handing a ticket over and
    for showing people by name."""
    caller = current_caller(router)
    members = [TeamMemberOut.model_validate(a.to_api()) for a in agents.team(caller.tenant_id)]
    return TeamDirectory(items=members)


@router.get("/api/agents")
def list_agents() -> AgentList:
    caller = current_caller(router)
    caller.require_admin()
    return AgentList.model_validate({"items": [a.to_api() for a in agents.team(caller.tenant_id)]})


@router.put("/api/agents/<agent_id>")
def update_agent(agent_id: str, body: Annotated[AgentUpdateIn, Body()]) -> AgentOut:
    """Admins change anything; agents only their own status and notification settings."""
    caller = current_caller(router)
    changes = body.model_dump(exclude_none=True)
    if not caller.is_admin and (agent_id != caller.id or set(changes) - SELF_SERVICE):
        raise Forbidden("agents may change only their own status and notification settings")
    agent = agents.get_agent(caller.tenant_id, agent_id)
    if {"departments", "roles"} & set(changes):
        servability.require_servable(caller.tenant_id, team=_team_with(caller.tenant_id, agent, changes))
    actions = []
    for field in ("name", "departments", "roles", "capacity", "phone"):
        if field in changes:
            actions.append(getattr(AgentModel, field).set(changes[field]))
    if "notify" in changes:
        for channel, on in changes["notify"].items():
            actions.append(getattr(AgentModel.notify, channel).set(on))
    if actions:
        agent.update(actions=actions)
    if "status" in changes:
        set_status(agent, changes["status"])
    if {"departments", "roles", "capacity"} & set(changes):  # they may serve what waits now
        ticket_actions.drain_queue(caller.tenant_id, agent_id)
    if caller.is_admin and (agent_id != caller.id or set(changes) - SELF_SERVICE):
        audit.record(caller, "agent.update", agent_id, changes)
    return AgentOut.model_validate(agent.to_api())


def _team_with(tenant_id: str, agent: AgentModel, changes: dict) -> list[AgentModel]:
    """The team as it would be after `changes` to `agent`'s departments and roles."""
    changed = AgentModel(
        tenant_id,
        agent.agent_id,
        permission=agent.permission,
        email=agent.email,
        departments=changes.get("departments", list(agent.departments or [])),
        roles=changes.get("roles", list(agent.roles or [])),
    )
    return [changed if a.agent_id == agent.agent_id else a for a in agents.team(tenant_id)]


@router.get("/api/audit")
def audit_log() -> AuditList:
    """Admin changes, newest first: who, what, when."""
    caller = current_caller(router)
    caller.require_admin()
    return AuditList.model_validate({"items": [entry.to_api() for entry in audit.recent(caller.tenant_id)]})
