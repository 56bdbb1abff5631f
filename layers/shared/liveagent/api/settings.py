"""Admin settings documents (one GET/PUT pair per document, each with its own schema) and the detection
preview."""

# No `from __future__ import annotations` here: the settings routes are made in a loop, and Powertools reads
# their (real, not string) annotations to validate bodies and write the OpenAPI schemas.

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, ConfigDict, Field, create_model

from liveagent import audit, servability, tenants, ticket_actions
from liveagent.api import current_caller
from liveagent.api.schemas import DecisionOut
from liveagent.detection.service import preview
from liveagent.settings import SETTINGS_DOCUMENTS, EscalationPolicy, RoutingSettings, TenantSettings

router = Router()
RO = {"readOnly": True}
FIELDS = {name: name.replace("-", "_") for name in SETTINGS_DOCUMENTS}  # "business-hours" -> business_hours


class Turn(BaseModel):
    role: str = Field(pattern=r"^(customer|bot|agent)$")
    text: str = Field(max_length=4096)


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4096)
    history: list[Turn] = Field(default_factory=list, max_length=50)


def _versioned(model: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        f"{model.__name__}Versioned",
        __base__=model,
        # A document read with GET is sent back with PUT as it is: `updated_at` says which version it was
        # read at (changed since: 409 conflict with the current document), `updated_by` is ignored.
        updated_at=(
            str | None,
            Field(
                None, description="when it last changed; sent back on PUT: 409 conflict if it changed since"
            ),
        ),
        updated_by=(str | None, Field(None, description="who changed it (agent id)", json_schema_extra=RO)),
    )


def _read(tenant_id: str, field: str) -> dict[str, Any]:
    tenant = tenants.get_tenant(tenant_id)
    settings = TenantSettings.model_validate(tenant.settings or {})
    document = getattr(settings, field).model_dump(mode="json")
    return {**document, **(tenant.versions or {}).get(field, {})}


def _register(name: str, model: type[BaseModel]) -> None:
    field = FIELDS[name]
    out = _versioned(model)

    def get_document() -> out:  # type: ignore[valid-type]
        caller = current_caller(router)
        return out.model_validate(_read(caller.tenant_id, field))

    def put_document(body: Annotated[out, Body()]) -> out:  # type: ignore[valid-type]
        caller = current_caller(router)
        caller.require_admin()
        document = body.model_dump(mode="json", exclude={"updated_at", "updated_by"})
        if model is RoutingSettings:
            servability.require_servable(caller.tenant_id, routing=RoutingSettings.model_validate(document))
        elif model is EscalationPolicy:
            servability.require_servable(caller.tenant_id, policy=EscalationPolicy.model_validate(document))
        # `updated_at` sent (even null: read before any change) makes the write conditional on that version
        checked = {"read_at": body.updated_at} if "updated_at" in body.model_fields_set else {}
        before = tenants.load_settings(caller.tenant_id)
        version = tenants.update_settings_document(caller.tenant_id, field, document, caller.id, **checked)
        audit.record(caller, "settings.update", name, document)
        if model is RoutingSettings:  # tickets queued under the old rules are served under the new ones
            departments = servability.department_names(before.routing)
            ticket_actions.reroute_queue(
                caller.tenant_id, departments, RoutingSettings.model_validate(document)
            )
        return out.model_validate({**document, **version})

    path = f"/api/settings/{name}"
    get_document.__doc__ = f"The tenant's {name} settings, with who changed them last."
    put_document.__doc__ = (
        f"Replace the {name} settings (admins). Validated as a whole; recorded in the audit log."
    )
    router.get(path, operation_id=f"get_{field}_settings")(get_document)
    router.put(path, operation_id=f"put_{field}_settings")(put_document)


for _name, _model in SETTINGS_DOCUMENTS.items():
    _register(_name, _model)


@router.post("/api/detect/preview")
def detect_preview(body: Annotated[PreviewIn, Body()]) -> DecisionOut:
    """What the bot would do with this message (decision, reason, triggers, KB answer), without sending
    or storing anything."""
    caller = current_caller(router)
    decision = preview(caller.tenant_id, body.text, [t.model_dump() for t in body.history])
    return DecisionOut.model_validate(
        decision.model_dump(include={"escalate", "reason", "triggers", "kb_id", "answer", "confidence"})
    )
