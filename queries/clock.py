"""What time it is, asked in one place: every rule that depends on "today" (the default month
of the pages, "a month in the future" in the importer, when an upload was received, which
months are closed) calls `now()` or `today()` from here.

The product's calendar is Vietnam's (UTC+7): a report sent at 23:30 on the 19th in Hà Nội is
sent on the 19th, whatever the server's time zone.

`DTI_NOW` (an ISO date or date-time, e.g. `2026-11-22` or `2026-11-22T10:00:00+07:00`) starts
the clock at that moment and lets it run from there, like `faketime '@…'`: tests state their
day with it, for the process and for the commands and servers it starts. Unset, it is the
real time.
"""
from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "+07")

# (DTI_NOW as last seen, the moment it names, the real time when it was seen): the clock runs
# from there until DTI_NOW changes or reset() is called.
_started: tuple[str, datetime, float] | None = None


def _parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    return moment.astimezone(UTC)


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    global _started
    fixed = os.environ.get("DTI_NOW")
    if not fixed:
        return datetime.now(UTC)
    if _started is None or _started[0] != fixed:
        _started = (fixed, _parse(fixed), time.monotonic())
    _, start, seen = _started
    return start + timedelta(seconds=time.monotonic() - seen)


def reset() -> None:
    """Start the clock again from DTI_NOW at the next question (each test states its day)."""
    global _started
    _started = None


def now_vietnam() -> datetime:
    return now().astimezone(VIETNAM)


def today() -> date:
    """Today's date in Vietnam."""
    return now_vietnam().date()


def this_month() -> date:
    """The first day of the current month in Vietnam."""
    return today().replace(day=1)
