"""Admin settings documents and the detection preview."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field

from liveagent import audit, tenants
from liveagent.api import current_caller, parse_body
from liveagent.detection.service import preview
from liveagent.errors import NotFound
from liveagent.settings import SETTINGS_DOCUMENTS

router = Router()
_FIELD = {"escalation": "escalation", "routing": "routing", "escalation-policy": "escalation_policy",
          "business-hours": "business_hours", "satisfaction": "satisfaction"}  # fmt: skip


class Turn(BaseModel):
    role: str = Field(pattern=r"^(customer|bot|agent)$")
    text: str = Field(max_length=4096)


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4096)
    history: list[Turn] = Field(default_factory=list, max_length=50)


def _document(name: str) -> str:
    if name not in SETTINGS_DOCUMENTS:
        raise NotFound(f"unknown settings document '{name}' (one of {sorted(SETTINGS_DOCUMENTS)})")
    return _FIELD[name]


@router.get("/api/settings/<name>")
def get_settings(name: str) -> dict:
    caller = current_caller(router)
    field = _document(name)
    return getattr(tenants.load_settings(caller.tenant_id), field).model_dump(mode="json")


@router.put("/api/settings/<name>")
def put_settings(name: str) -> dict:
    caller = current_caller(router)
    caller.require_admin()
    field = _document(name)
    document = parse_body(router, SETTINGS_DOCUMENTS[name]).model_dump(mode="json")
    version = tenants.update_settings_document(caller.tenant_id, field, document, caller.id)
    audit.record(caller, "settings.update", name, document)
    return {**document, **version}


@router.post("/api/detect/preview")
def detect_preview() -> dict:
    caller = current_caller(router)
    body = parse_body(router, PreviewIn)
    decision = preview(caller.tenant_id, body.text, [t.model_dump() for t in body.history])
    return decision.model_dump(include={"escalate", "reason", "triggers", "kb_id", "answer", "confidence"})
