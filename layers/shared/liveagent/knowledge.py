"""The tenant's knowledge base: entries the bot answers from (Knowledge table)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pynamodb.attributes import BinaryAttribute, ListAttribute, UnicodeAttribute
from pynamodb.models import Model

from liveagent import (
    config,
    storage,  # noqa: F401  (its table model shares one botocore session per thread)
)
from liveagent.errors import NotFound
from liveagent.ids import new_ulid, now_iso


class KnowledgeModel(Model):
    class Meta:
        table_name = config.table_name("KNOWLEDGE_TABLE")
        region = config.region()

    tenant_id = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)
    question = UnicodeAttribute()
    alternates = ListAttribute(of=UnicodeAttribute, default=list)
    answer = UnicodeAttribute()
    source_ticket_id = UnicodeAttribute(null=True)
    # "proposed": an agent's entry from a ticket, which the bot does not use until an admin approves it.
    status = UnicodeAttribute(default="live")
    proposed_by = UnicodeAttribute(null=True)
    approved_by = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(default="")
    # The question's, alternates' and answer's sentence embeddings (float16 rows), computed when the entry
    # is written so that the detect function never re-embeds the KB; `embedding_model` names the encoder.
    embedding = BinaryAttribute(null=True, legacy_encoding=False)
    embedding_model = UnicodeAttribute(null=True)
    # The same from the hosted encoder (EMBEDDINGS_PROVIDER=bedrock), when it answered at write time.
    hosted_embedding = BinaryAttribute(null=True, legacy_encoding=False)
    hosted_embedding_model = UnicodeAttribute(null=True)

    def to_api(self) -> dict:
        return {
            "id": self.entry_id,
            "question": self.question,
            "alternates": list(self.alternates or []),
            "answer": self.answer,
            "source_ticket_id": self.source_ticket_id,
            "status": self.status or "live",
            "proposed_by": self.proposed_by,
            "approved_by": self.approved_by,
            "updated_at": self.updated_at,
        }


class KnowledgeEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, pattern=r"^[\w.-]{1,64}$")
    question: str = Field(min_length=1, max_length=1000)
    alternates: list[str] = Field(default_factory=list, max_length=50)
    answer: str = Field(min_length=1, max_length=4000)

    @field_validator("question", "answer")
    @classmethod
    def _not_blank(cls, text: str, info: ValidationInfo) -> str:
        if not text.strip():
            raise ValueError(f"the {info.field_name} is blank")
        return text


# A reply written to one customer opens and closes with them ("Hi Priya, …", "Thanks, Priya!"); the bot
# would say it to everyone. The KB draft keeps what answers the question.
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|hiya|dear|good (morning|afternoon|evening)|hola|buenos dias|ola|oi|bonjour|salut|"
    r"hallo|ciao|buongiorno|hoi)\b[^,.!\n]{0,40}[,.!:\n]+\s*",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"[\s,.!]*\b(thanks|thank you|cheers|best|regards|kind regards|best wishes|have a (great|nice|good) day)"
    r"\b[^.!?\n]{0,40}[.!]*\s*$",
    re.IGNORECASE,
)


def draft_answer(reply: str, customer_name: str | None) -> str:
    """A KB answer drafted from an agent's reply: without the greeting, the sign-off and the customer's
    name, first letter capitalised. Pure; an admin reviews the draft before saving."""
    text = _GREETING.sub("", reply.strip())
    names = {customer_name or "", *(n for n in (customer_name or "").split() if len(n) > 1)} - {""}
    for name in sorted(names, key=len, reverse=True):  # the full name first, then its parts
        text = re.sub(rf",?\s*\b{re.escape(name)}\b", "", text, flags=re.IGNORECASE)
    text = _SIGN_OFF.sub("", text).strip(" ,")
    if not text or text == reply.strip():
        return reply.strip()  # nothing personal in it: the reply as written
    if not text.endswith((".", "!", "?")):
        text += "."
    return text[:1].upper() + text[1:]


def entries(tenant_id: str) -> list[KnowledgeModel]:
    return list(KnowledgeModel.query(tenant_id))


def live_entries(tenant_id: str) -> list[KnowledgeModel]:
    """What the bot answers from: every entry but the proposals waiting for an admin."""
    return [e for e in entries(tenant_id) if (e.status or "live") == "live"]


def approve(tenant_id: str, entry_id: str, admin_id: str) -> KnowledgeModel:
    """An admin makes a proposed entry live (approving a live one changes nothing)."""
    entry = get_entry(tenant_id, entry_id)
    if (entry.status or "live") != "live":
        entry.update(actions=[KnowledgeModel.status.set("live"), KnowledgeModel.approved_by.set(admin_id),
                              KnowledgeModel.updated_at.set(now_iso())])  # fmt: skip
    return entry


def get_entry(tenant_id: str, entry_id: str) -> KnowledgeModel:
    try:
        return KnowledgeModel.get(tenant_id, entry_id)
    except KnowledgeModel.DoesNotExist as exc:
        raise NotFound(f"knowledge entry '{entry_id}' not found") from exc


def put_entry(
    tenant_id: str,
    entry: KnowledgeEntryIn,
    source_ticket_id: str | None = None,
    *,
    proposed_by: str | None = None,
    approved_by: str | None = None,
) -> KnowledgeModel:
    """Written whole (embedded now); `proposed_by` an agent: a proposal the bot does not use yet."""
    # Imported here: only writes need the encoder (the API's other routes start without it).
    from liveagent.detection import KbEntry, embed_entry
    from liveagent.detection.bedrock import EncoderUnavailable, hosted_encoder
    from liveagent.detection.embeddings import default_encoder

    plain = KbEntry.written("", entry.question, entry.alternates, entry.answer)
    encoder = default_encoder()
    embedded = embed_entry(plain, encoder) if encoder else None
    hosted = None
    if (remote := hosted_encoder()) is not None:
        try:
            hosted = embed_entry(plain, remote)
        except EncoderUnavailable:
            hosted = None  # embedded when the index is next built; the local vectors serve meanwhile
    item = KnowledgeModel(
        tenant_id,
        entry.id or f"kb-{new_ulid().lower()}",
        question=plain.question,
        alternates=list(plain.alternates),
        answer=plain.answer,
        source_ticket_id=source_ticket_id,
        status="proposed" if proposed_by else "live",
        proposed_by=proposed_by,
        approved_by=approved_by,
        updated_at=now_iso(),
        embedding=embedded.embedding if embedded else None,
        embedding_model=embedded.embedding_model if embedded else None,
        hosted_embedding=hosted.embedding if hosted else None,
        hosted_embedding_model=hosted.embedding_model if hosted else None,
    )
    item.save()
    return item


def delete_entry(tenant_id: str, entry_id: str) -> None:
    get_entry(tenant_id, entry_id).delete()
