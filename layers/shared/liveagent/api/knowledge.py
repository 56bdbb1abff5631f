"""Knowledge base routes and the unanswered questions that should become entries."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from liveagent import audit, knowledge, tickets
from liveagent.api import current_caller
from liveagent.api.schemas import Deleted, KnowledgeEntryOut, KnowledgeList, UnansweredList
from liveagent.detection.service import forget_index, still_unanswered

router = Router()


@router.get("/api/knowledge")
def list_entries() -> KnowledgeList:
    caller = current_caller(router)
    return KnowledgeList.model_validate({"items": [e.to_api() for e in knowledge.entries(caller.tenant_id)]})


@router.post("/api/knowledge", status_code=201)
def add_entry(body: Annotated[knowledge.KnowledgeEntryIn, Body()]) -> KnowledgeEntryOut:
    """The index updates at once: the next customer asking this is answered."""
    caller = current_caller(router)
    caller.require_admin()
    entry = knowledge.put_entry(caller.tenant_id, body)
    forget_index(caller.tenant_id)
    audit.record(caller, "knowledge.create", entry.entry_id, {"question": entry.question})
    return KnowledgeEntryOut.model_validate(entry.to_api())


@router.put("/api/knowledge/<entry_id>")
def update_entry(entry_id: str, body: Annotated[knowledge.KnowledgeEntryIn, Body()]) -> KnowledgeEntryOut:
    caller = current_caller(router)
    caller.require_admin()
    before = knowledge.get_entry(caller.tenant_id, entry_id)
    proposal = (
        {"proposed_by": before.proposed_by} if before.status == "proposed" else {}
    )  # edited, not approved
    entry = knowledge.put_entry(
        caller.tenant_id, body.model_copy(update={"id": entry_id}), before.source_ticket_id, **proposal
    )
    forget_index(caller.tenant_id)
    audit.record(caller, "knowledge.update", entry_id, {"question": entry.question})
    return KnowledgeEntryOut.model_validate(entry.to_api())


@router.post("/api/knowledge/<entry_id>/approve")
def approve_entry(entry_id: str) -> KnowledgeEntryOut:
    """An agent's proposed entry goes live (admins): the next customer asking this is answered."""
    caller = current_caller(router)
    caller.require_admin()
    entry = knowledge.approve(caller.tenant_id, entry_id, caller.id)
    forget_index(caller.tenant_id)
    audit.record(caller, "knowledge.approve", entry_id, {"question": entry.question})
    return KnowledgeEntryOut.model_validate(entry.to_api())


@router.delete("/api/knowledge/<entry_id>")
def delete_entry(entry_id: str) -> Deleted:
    caller = current_caller(router)
    caller.require_admin()
    knowledge.delete_entry(caller.tenant_id, entry_id)
    forget_index(caller.tenant_id)
    audit.record(caller, "knowledge.delete", entry_id)
    return Deleted(deleted=entry_id)


@router.get("/api/knowledge/unanswered")
def unanswered() -> UnansweredList:
    """Questions the bot could not answer, similar ones grouped, most frequent first."""
    caller = current_caller(router)
    recent = tickets.list_tickets(caller.tenant_id, limit=500)
    return UnansweredList.model_validate({"items": still_unanswered(caller.tenant_id, recent)})
