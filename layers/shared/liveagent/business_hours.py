"""Opening hours: is the team there now, and when does it open next (tenant timezone, holidays)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from liveagent.settings import WEEKDAYS, BusinessHours, LocalizedMessages

LOOKAHEAD_DAYS = 60


def _spans(hours: BusinessHours, day: date) -> list[tuple[time, time]]:
    if day.isoformat() in hours.holidays or hours.hours is None:
        return []
    return [
        (time.fromisoformat(a), time.fromisoformat(b))
        for a, b in hours.hours.get(WEEKDAYS[day.weekday()], [])
    ]


def is_open(hours: BusinessHours, at: datetime) -> bool:
    if hours.hours is None and not hours.holidays:
        return True
    local = at.astimezone(ZoneInfo(hours.timezone))
    if hours.hours is None:  # always open except holidays
        return local.date().isoformat() not in hours.holidays
    return any(start <= local.time() < end for start, end in _spans(hours, local.date()))


def next_opening(hours: BusinessHours, at: datetime) -> datetime | None:
    """The next moment (UTC) the team is open, at or after `at`; None if never within 60 days."""
    if is_open(hours, at):
        return at.astimezone(UTC)
    zone = ZoneInfo(hours.timezone)
    local = at.astimezone(zone)
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        if hours.hours is None:
            if day.isoformat() not in hours.holidays:
                return datetime.combine(day, time(0, 0), zone).astimezone(UTC)
            continue
        for start, _ in sorted(_spans(hours, day)):
            opening = datetime.combine(day, start, zone)
            if opening > local:
                return opening.astimezone(UTC)
    return None


# Weekday names for the reopening sentence of a translated offline message (Monday first).
WEEKDAY_NAMES = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "pt": (
        "segunda-feira",
        "terça-feira",
        "quarta-feira",
        "quinta-feira",
        "sexta-feira",
        "sábado",
        "domingo",
    ),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
}


def offline_text(
    hours: BusinessHours,
    opens_at: datetime | None,
    localized: LocalizedMessages | None = None,
    language: str | None = None,
) -> str:
    """The offline message and when the team is back: in the customer's language when the tenant wrote
    both for it (a translated message without its reopening sentence says no time rather than mix)."""
    message = (localized and localized.offline_message) or hours.offline_message
    translated = bool(localized and localized.offline_message)
    if opens_at is None or (translated and not localized.reopening):
        return message
    local = opens_at.astimezone(ZoneInfo(hours.timezone))
    if not translated:
        return f"{message} We open again {local:%A} at {local:%H:%M} ({hours.timezone})."
    weekday = WEEKDAY_NAMES.get(language or "", ())[local.weekday() : local.weekday() + 1] or (f"{local:%A}",)
    reopening = localized.reopening.format(weekday=weekday[0], time=f"{local:%H:%M}", timezone=hours.timezone)
    return f"{message} {reopening}"


def open_seconds_between(hours: BusinessHours, start: datetime, end: datetime) -> float:
    """Seconds between two moments that fall in opening hours: a ticket raised on Friday evening and
    answered on Monday at 9:05 waited 5 business minutes, not 60 hours."""
    if end <= start:
        return 0.0
    if hours.hours is None and not hours.holidays:
        return (end - start).total_seconds()
    zone = ZoneInfo(hours.timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    total = 0.0
    day = local_start.date()
    while day <= local_end.date():
        if hours.hours is None:
            spans = [] if day.isoformat() in hours.holidays else [(time(0, 0), None)]
        else:
            spans = _spans(hours, day)
        for open_at, close_at in spans:
            span_start = datetime.combine(day, open_at, zone)
            span_end = datetime.combine(day + timedelta(days=1), time(0, 0), zone) if close_at is None \
                else datetime.combine(day, close_at, zone)  # fmt: skip
            overlap = (min(span_end, local_end) - max(span_start, local_start)).total_seconds()
            total += max(0.0, overlap)
        day += timedelta(days=1)
    return total
