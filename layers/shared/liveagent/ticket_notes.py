"""Internal notes on a ticket: what agents tell each other about a customer, never sent to them.

Stored on the Messages table beside the conversation (key "note#<id>") but without the time-order key,
so that nothing that reads the conversation (the bot's context, the messaging window, the KB draft,
delivery) ever meets a note. Ids come from their cause (the dashboard's Idempotency-Key): a retried
request finds the note it wrote instead of writing it twice.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from liveagent import (
    config,
    storage,  # noqa: F401  (its table model shares one botocore session per thread)
)
from liveagent.ids import new_ulid, now_iso, parse_iso, ulid_for
from liveagent.tickets import TicketModel

PREFIX = "note#"


class TicketNoteModel(Model):
    class Meta:
        table_name = config.table_name("MESSAGES_TABLE")
        region = config.region()

    conversation_id = UnicodeAttribute(hash_key=True)
    message_key = UnicodeAttribute(range_key=True)  # "note#<ulid>"
    tenant_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    author = UnicodeAttribute()
    text = UnicodeAttribute()
    at = UnicodeAttribute()
    kind = UnicodeAttribute(default="note")  # note | handover (written with a hand-over)

    def to_api(self) -> dict:
        return {"id": self.message_key.removeprefix(PREFIX), "author": self.author, "text": self.text,
                "at": self.at, "kind": self.kind}  # fmt: skip


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("the note is blank")
        return text.strip()


def add_note(
    ticket: TicketModel, author: str, text: str, *, cause: str | None = None, kind: str = "note"
) -> TicketNoteModel:
    """The note, once per cause (a retry with the same cause returns the one written first)."""
    # From the cause alone (the ticket's time, not now): a retry a minute later finds the same id.
    note_id = (
        ulid_for(f"note:{ticket.ticket_id}:{cause}", parse_iso(ticket.created_at)) if cause else new_ulid()
    )
    note = TicketNoteModel(
        ticket.conversation_id, f"{PREFIX}{note_id}", tenant_id=ticket.tenant_id, ticket_id=ticket.ticket_id,
        author=author, text=text, at=now_iso(), kind=kind,
    )  # fmt: skip
    try:
        note.save(condition=TicketNoteModel.message_key.does_not_exist())
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
        return TicketNoteModel.get(ticket.conversation_id, note.message_key, consistent_read=True)
    return note


def notes_for(ticket: TicketModel) -> list[TicketNoteModel]:
    """The ticket's notes, oldest first."""
    found = TicketNoteModel.query(ticket.conversation_id, TicketNoteModel.message_key.startswith(PREFIX))
    return sorted((n for n in found if n.ticket_id == ticket.ticket_id), key=lambda n: n.at)
