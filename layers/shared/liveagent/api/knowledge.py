"""Knowledge base routes and the unanswered questions that should become entries."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from liveagent import audit, knowledge, tickets
from liveagent.api import current_caller, parse_body
from liveagent.detection import group_similar
from liveagent.detection.service import forget_index

router = Router()


@router.get("/api/knowledge")
def list_entries() -> dict:
    caller = current_caller(router)
    return {"items": [e.to_api() for e in knowledge.entries(caller.tenant_id)]}


@router.post("/api/knowledge")
def add_entry() -> tuple[dict, int]:
    caller = current_caller(router)
    caller.require_admin()
    entry = knowledge.put_entry(caller.tenant_id, parse_body(router, knowledge.KnowledgeEntryIn))
    forget_index(caller.tenant_id)
    audit.record(caller, "knowledge.create", entry.entry_id, {"question": entry.question})
    return entry.to_api(), 201


@router.put("/api/knowledge/<entry_id>")
def update_entry(entry_id: str) -> dict:
    caller = current_caller(router)
    caller.require_admin()
    knowledge.get_entry(caller.tenant_id, entry_id)
    body = parse_body(router, knowledge.KnowledgeEntryIn).model_copy(update={"id": entry_id})
    entry = knowledge.put_entry(caller.tenant_id, body)
    forget_index(caller.tenant_id)
    audit.record(caller, "knowledge.update", entry_id, {"question": entry.question})
    return entry.to_api()


@router.delete("/api/knowledge/<entry_id>")
def delete_entry(entry_id: str) -> dict:
    caller = current_caller(router)
    caller.require_admin()
    knowledge.delete_entry(caller.tenant_id, entry_id)
    forget_index(caller.tenant_id)
    audit.record(caller, "knowledge.delete", entry_id)
    return {"deleted": entry_id}


@router.get("/api/knowledge/unanswered")
def unanswered() -> dict:
    """Questions the bot could not answer, similar ones grouped, most frequent first."""
    caller = current_caller(router)
    unanswered = [
        (t.question, t.ticket_id, t.created_at)
        for t in tickets.list_tickets(caller.tenant_id, limit=500)
        if t.reason == "question_not_found" and t.question
    ]
    return {"items": group_similar(unanswered)}
