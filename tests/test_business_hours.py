"""Opening hours with a fixed clock: timezones, spans, holidays, next opening."""

from __future__ import annotations

from datetime import UTC, datetime

from liveagent.business_hours import is_open, next_opening, offline_text
from liveagent.settings import BusinessHours

WEEKDAYS_9_TO_18 = {d: [("09:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
NEW_YORK = BusinessHours(timezone="America/New_York", hours=WEEKDAYS_9_TO_18, holidays=["2026-11-26"])


def test_always_open_by_default() -> None:
    assert is_open(BusinessHours(), datetime(2026, 11, 29, 3, tzinfo=UTC))


def test_hours_are_in_the_tenants_timezone() -> None:
    friday_1330_utc = datetime(2026, 11, 27, 13, 30, tzinfo=UTC)  # 08:30 in New York: not yet
    assert not is_open(NEW_YORK, friday_1330_utc)
    assert next_opening(NEW_YORK, friday_1330_utc) == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    assert is_open(NEW_YORK, datetime(2026, 11, 27, 14, 0, tzinfo=UTC))


def test_weekends_and_holidays_are_closed_and_the_next_opening_skips_them() -> None:
    thanksgiving_noon = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # a Thursday, listed as a holiday
    assert not is_open(NEW_YORK, thanksgiving_noon)
    assert next_opening(NEW_YORK, thanksgiving_noon) == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    saturday = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    assert next_opening(NEW_YORK, saturday) == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 09:00 EST


def test_offline_message_names_the_next_opening_in_local_time() -> None:
    text = offline_text(NEW_YORK, datetime(2026, 11, 30, 14, 0, tzinfo=UTC))
    assert text.endswith("We open again Monday at 09:00 (America/New_York).")


def test_never_opening_within_the_lookahead() -> None:
    closed = BusinessHours(hours={})
    assert next_opening(closed, datetime(2026, 11, 27, tzinfo=UTC)) is None
