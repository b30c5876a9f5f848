"""When a piece of work becomes urgent: the windows of the work queues and of the daily digest.

Pure functions of the server's Europe/Paris day (``money.dates.paris_day``), no Flask, no database.
"""
from __future__ import annotations

from datetime import date, timedelta

#: « Payments due within 3 days »: the due date is today or one of the next 3 days (the 3rd included).
PAYMENT_DUE_SOON_DAYS = 3
#: « Complaints whose window closes within 7 days »: the deadline is today or one of the next 7 days.
COMPLAINT_CLOSING_SOON_DAYS = 7


def payment_due_soon_until(today: date) -> date:
    """The last due date that counts as « due within 3 days » (today + 3)."""
    return today + timedelta(days=PAYMENT_DUE_SOON_DAYS)


def is_payment_due_soon(due_on: date, today: date) -> bool:
    """A validated, unpaid request due today or within the next 3 days (not yet overdue: see money.rules)."""
    return today <= due_on <= payment_due_soon_until(today)


def complaint_closing_soon_until(today: date) -> date:
    """The last complaint deadline that counts as « closes within 7 days » (today + 7)."""
    return today + timedelta(days=COMPLAINT_CLOSING_SOON_DAYS)


def is_complaint_closing_soon(deadline: date, today: date) -> bool:
    """An open complaint whose two-month window ends today or within the next 7 days (the deadline day counts)."""
    return today <= deadline <= complaint_closing_soon_until(today)
