"""The one clock: Vietnam's calendar, and DTI_NOW to state the day of a test."""
from __future__ import annotations

from datetime import UTC, date, datetime

from queries import clock


def test_dti_now_starts_the_clock_there_and_lets_it_run(monkeypatch):
    monkeypatch.setenv("DTI_NOW", "2027-01-02T08:00:00+07:00")
    first = clock.now()
    assert first.tzinfo is not None
    assert datetime(2027, 1, 2, 1, 0, tzinfo=UTC) <= first
    assert (first - datetime(2027, 1, 2, 1, 0, tzinfo=UTC)).total_seconds() < 5
    assert clock.now() >= first  # it runs: ids and event names keep their order
    assert clock.today() == date(2027, 1, 2) and clock.this_month() == date(2027, 1, 1)


def test_today_is_vietnam_date_whatever_the_server_zone(monkeypatch):
    # 17:30 UTC on 30 November is already 1 December in Vietnam.
    monkeypatch.setenv("DTI_NOW", "2026-11-30T17:30:00+00:00")
    assert clock.today() == date(2026, 12, 1) and clock.this_month() == date(2026, 12, 1)
    # A date without a time is midnight in Vietnam.
    monkeypatch.setenv("DTI_NOW", "2028-02-29")
    assert clock.today() == date(2028, 2, 29)
    assert clock.now_vietnam().hour == 0


def test_unset_is_the_real_time(monkeypatch):
    monkeypatch.delenv("DTI_NOW", raising=False)
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 1
