"""Per-tenant settings documents (CONTRACT.md section 5), validated with pydantic, with their defaults."""

from __future__ import annotations

import re
from string import Formatter
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_TARGET = re.compile(r"^(assignee|permission:admin|role:[\w-]+|agent:[\w-]+)$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SentimentSetting(_Doc):
    enabled: bool = Field(True, strict=True)
    threshold: float = Field(0.6, ge=0.0, le=1.0, strict=True)


class ComplexitySetting(_Doc):
    enabled: bool = Field(True, strict=True)
    threshold: float = Field(0.7, ge=0.0, le=1.0, strict=True)


class EscalationSettings(_Doc):
    keywords: list[str] = Field(default_factory=list)
    agent_request_phrases: list[str] = Field(default_factory=list)
    sentiment: SentimentSetting = Field(default_factory=SentimentSetting)
    complexity: ComplexitySetting = Field(default_factory=ComplexitySetting)
    kb_min_confidence: float = Field(0.35, ge=0.0, le=1.0, strict=True)
    # The share of what the customer asks that the entry must cover (IDF-weighted), so that "are dogs
    # allowed at your cafés?" is not answered with the café addresses.
    kb_min_coverage: float = Field(0.2, ge=0.0, le=1.0, strict=True)
    sensitivity: Literal["low", "medium", "high"] = "medium"

    @field_validator("keywords", "agent_request_phrases")
    @classmethod
    def _clean_phrases(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip() for v in values if v and v.strip()]
        if any(len(v) > 200 for v in cleaned):
            raise ValueError("each phrase must be at most 200 characters")
        return list(dict.fromkeys(cleaned))


LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "nl")  # what liveagent.language tells apart
Language = Literal["en", "es", "pt", "fr", "de", "it", "nl"]


class Department(_Doc):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[\w-]+$")
    keywords: list[str] = Field(default_factory=list)
    # Words that route here when the customer writes in that language ("factura" in Spanish); `keywords`
    # apply in every language.
    keywords_by_language: dict[Language, list[str]] = Field(default_factory=dict)

    def keywords_for(self, language: str | None) -> list[str]:
        """A message in a known language: the words for every language and its own; unknown: all."""
        if language is None:
            return [*self.keywords, *(w for words in self.keywords_by_language.values() for w in words)]
        return [*self.keywords, *self.keywords_by_language.get(language, [])]


class RuleCondition(_Doc):
    reason: Literal["question_not_found", "agent_requested", "complaint", "custom_trigger"] | None = None
    department: str | None = None


class RoutingRule(_Doc):
    when: RuleCondition = Field(default_factory=RuleCondition)
    roles: list[str] = Field(min_length=1)


class RoutingSettings(_Doc):
    departments: list[Department] = Field(default_factory=list)
    default_department: str = "support"
    rules: list[RoutingRule] = Field(default_factory=list)
    strategy: Literal["least_loaded", "round_robin"] = "least_loaded"

    @model_validator(mode="after")
    def _default_is_known(self) -> RoutingSettings:
        names = {d.name for d in self.departments}
        if names and self.default_department not in names:
            raise ValueError(f"default_department '{self.default_department}' is not one of the departments")
        return self


class PolicyLevel(_Doc):
    target: str = Field(pattern=_TARGET.pattern)
    timeout_seconds: int = Field(ge=1, le=7 * 24 * 3600, strict=True)
    reassign: bool = Field(False, strict=True)


class EscalationPolicy(_Doc):
    levels: list[PolicyLevel] = Field(min_length=1, max_length=10)
    repeat: int = Field(0, ge=0, le=10, strict=True)

    @model_validator(mode="after")
    def _starts_with_assignee(self) -> EscalationPolicy:
        if self.levels[0].target != "assignee":
            raise ValueError("the first level must target the assignee")
        return self


class BusinessHours(_Doc):
    timezone: str = "UTC"
    hours: dict[str, list[tuple[str, str]]] | None = None
    holidays: list[str] = Field(default_factory=list)  # "YYYY-MM-DD", in the tenant's timezone
    offline_message: str = (
        "Thanks for your message! Our team is offline right now and will reply when we open."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone '{value}'") from exc
        return value

    @field_validator("holidays")
    @classmethod
    def _valid_holidays(cls, value: list[str]) -> list[str]:
        from datetime import date

        for day in value:
            try:
                date.fromisoformat(day)
            except ValueError as exc:
                raise ValueError(f"holiday '{day}' is not a YYYY-MM-DD date") from exc
        return value

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[tuple[str, str]]] | None) -> dict | None:
        if value is None:
            return None
        for day, spans in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown day '{day}' (use {', '.join(WEEKDAYS)})")
            for start, end in spans:
                if not (_TIME.match(start) and _TIME.match(end)) or start >= end:
                    raise ValueError(f"bad span {start}-{end} on {day}: HH:MM-HH:MM, start before end")
        return value


class LocalizedMessages(_Doc):
    """The tenant's texts in one more language; what is left out falls back to the tenant's own."""

    acknowledgement: str | None = Field(None, min_length=1, max_length=1000)
    offline_message: str | None = Field(None, min_length=1, max_length=1000)
    # How the next opening is said after the offline message: {weekday}, {time} and {timezone}.
    reopening: str | None = Field(None, min_length=1, max_length=300)

    @field_validator("acknowledgement", "offline_message", "reopening")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank (leave it out to use the tenant's own text)")
        return value

    @field_validator("reopening")
    @classmethod
    def _known_fields(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            fields = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"reopening: {exc} (write {{weekday}}, {{time}} or {{timezone}})") from exc
        unknown = fields - {"weekday", "time", "timezone"}
        if unknown:
            raise ValueError(
                f"reopening may use {{weekday}}, {{time}} and {{timezone}}, not {sorted(unknown)}"
            )
        return value


class Messages(_Doc):
    """Texts the system sends customers on the tenant's behalf: in the tenant's `language`, and in the
    customer's when `translations` has it."""

    language: Language = "en"
    acknowledgement: str = Field(
        "Thanks for reaching out! I'm connecting you with our team; someone will reply here shortly.",
        min_length=1, max_length=1000,
    )  # fmt: skip
    small_talk: str = "Hi! How can I help you today?"
    translations: dict[Language, LocalizedMessages] = Field(default_factory=dict)

    def in_language(self, language: str | None) -> LocalizedMessages:
        """The customer's language's texts (empty fields: the tenant's own)."""
        if language is None or language == self.language:
            return LocalizedMessages()
        return self.translations.get(language) or LocalizedMessages()


class SatisfactionSettings(_Doc):
    """One rating question when a ticket closes (while the channel's window is open)."""

    enabled: bool = Field(True, strict=True)
    question: str = Field("How did we do? Tap to rate the help you got.", min_length=1, max_length=900)


class CannedReply(_Doc):
    title: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=4000)

    @field_validator("title", "text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class ApprovedTemplate(_Doc):
    """A WhatsApp message template Meta approved for the tenant (what agents send outside the window)."""

    name: str = Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")
    language: str = Field("en_US", min_length=2, max_length=15, pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")
    label: str | None = Field(None, max_length=120)


class ReplyLibrary(_Doc):
    """What agents pick from when replying: canned replies, and the approved templates for WhatsApp
    conversations whose 24-hour window has closed."""

    canned: list[CannedReply] = Field(default_factory=list, max_length=100)
    templates: list[ApprovedTemplate] = Field(default_factory=list, max_length=100)


def default_policy() -> EscalationPolicy:
    return EscalationPolicy(
        levels=[
            PolicyLevel(target="assignee", timeout_seconds=900),
            PolicyLevel(target="role:team_lead", timeout_seconds=1800, reassign=True),
            PolicyLevel(target="permission:admin", timeout_seconds=3600),
        ],
        repeat=0,
    )


class TicketSettings(_Doc):
    """Ticket lifecycle: answered tickets with no customer message for `auto_close_hours` close by
    themselves; closed tickets are archived and expire (DynamoDB TTL) `retention_days` after closing."""

    auto_close_hours: int = Field(72, ge=1, le=24 * 90, strict=True)
    retention_days: int = Field(365, ge=1, le=3650, strict=True)


class TenantSettings(_Doc):
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    escalation_policy: EscalationPolicy = Field(default_factory=default_policy)
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    messages: Messages = Field(default_factory=Messages)
    satisfaction: SatisfactionSettings = Field(default_factory=SatisfactionSettings)
    tickets: TicketSettings = Field(default_factory=TicketSettings)
    replies: ReplyLibrary = Field(default_factory=ReplyLibrary)


# The settings documents the API exposes, by the name used in /api/settings/{name}.
SETTINGS_DOCUMENTS: dict[str, type[_Doc]] = {
    "escalation": EscalationSettings,
    "routing": RoutingSettings,
    "tickets": TicketSettings,
    "escalation-policy": EscalationPolicy,
    "business-hours": BusinessHours,
    "satisfaction": SatisfactionSettings,
    "messages": Messages,
    "replies": ReplyLibrary,
}
