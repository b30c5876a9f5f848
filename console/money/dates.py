"""Server dates: the day a money rule is applied to is the server's, never the caller's.

DESIGN « server dates »: acceptance and submission are dated by the server's clock
(Europe/Paris day); only the operator may record a late paper entry with an earlier
date and a mandatory justification, kept with the row. Pure functions, no Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from console.errors import N_, DomainError

PARIS = ZoneInfo("Europe/Paris")
LATE_JUSTIFICATION_MIN_LENGTH = 10


def paris_day(moment_utc: datetime) -> date:
    """The Europe/Paris calendar day of a naive UTC timestamp (23:30 UTC on 31/12 is 01/01 in Paris)."""
    return moment_utc.replace(tzinfo=timezone.utc).astimezone(PARIS).date()


@dataclass(frozen=True)
class EntryDate:
    """When the server recorded an entry (``at``, naive UTC) and the day its rules are applied to."""

    day: date
    at: datetime
    late_justification: str | None = None

    @property
    def late(self) -> bool:
        """A late paper entry recorded by the operator with an earlier date."""
        return self.late_justification is not None


def server_entry(now_utc: datetime) -> EntryDate:
    """An entry dated by the server's clock: its Paris day."""
    return EntryDate(paris_day(now_utc), now_utc)


def entry_date(now_utc: datetime, requested: date | None, justification: str | None, may_record_late: bool,
               field: str) -> EntryDate:
    """DESIGN: « a caller never chooses the date a rule is applied to »; the operator's late entry is the exception.

    ``requested`` is the date the caller typed (None: today). Today is accepted; a future date
    never; an earlier one only from an operator, with a justification of at least
    ``LATE_JUSTIFICATION_MIN_LENGTH`` characters, which is then kept and shown.
    """
    today = paris_day(now_utc)
    if requested is None or requested == today:
        return EntryDate(today, now_utc)
    if requested > today:
        raise DomainError(N_("The date %(requested)s is in the future: the server dates this entry today,"
                             " %(today)s."), rule="server_date", field=field, requested=requested, today=today)
    if not may_record_late:
        raise DomainError(N_("The date %(requested)s is not today (%(today)s): the server dates this entry;"
                             " only the operator may record a late paper entry."),
                          rule="server_date", field=field, requested=requested, today=today)
    text = (justification or "").strip()
    if len(text) < LATE_JUSTIFICATION_MIN_LENGTH:
        raise DomainError(N_("A late paper entry dated %(requested)s (today is %(today)s) needs a justification"
                             " of at least %(min_length)s characters."),
                          rule="late_entry", field="late_justification", requested=requested, today=today,
                          min_length=LATE_JUSTIFICATION_MIN_LENGTH)
    return EntryDate(requested, now_utc, text)
