"""The FAQ's complaint window: two calendar months after the payment of a settlement.

Pure functions, no Flask and no database: refusals are ``DomainError``s carrying the raw dates.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from console.errors import N_, DomainError

COMPLAINT_WINDOW = relativedelta(months=2)
CENT = Decimal("0.01")


def complaint_deadline(payment_date: date) -> date:
    """FAQ: « dans un délai de deux mois maximum »: the same day two months later, clamped to the month end."""
    # relativedelta clamps an overflowing day (31/12 + 2 months) to the end of February.
    return payment_date + COMPLAINT_WINDOW


def is_complaint_in_time(payment_date: date, received_on: date) -> bool:
    """FAQ: « Au-delà de cette date, la réclamation ne pourra pas être prise en compte »; the deadline day counts."""
    return received_on <= complaint_deadline(payment_date)


def complaint_days_left(payment_date: date, today: date) -> int:
    """FAQ: « dans un délai de deux mois maximum »: days left until the deadline (0 on it, negative after)."""
    return (complaint_deadline(payment_date) - today).days


def check_complaint_acceptable(payment_date: date, received_on: date) -> None:
    """FAQ: « Au-delà de cette date, la réclamation ne pourra pas être prise en compte. »"""
    if not is_complaint_in_time(payment_date, received_on):
        raise DomainError(
            N_("A complaint about a settlement paid on %(payment_date)s had to be received by %(deadline)s;"
               " it was received on %(received_on)s."),
            rule="complaint_window",
            payment_date=payment_date, deadline=complaint_deadline(payment_date), received_on=received_on,
        )


def check_correction_amount(amount: Decimal | None, gross: Decimal) -> Decimal:
    """An accepted complaint corrects the settlement by a positive amount, at most the face value paid for."""
    # Compared only when both are finite: Decimal raises InvalidOperation on NaN (and quantize on huge values).
    if (amount is None or not amount.is_finite() or not gross.is_finite() or amount <= 0 or amount > gross
            or amount != amount.quantize(CENT)):
        raise DomainError(
            N_("The correction must be an amount in cents greater than 0 and at most %(gross)s, not %(amount)s."),
            rule="complaint_correction", field="correction_amount", amount="" if amount is None else amount, gross=gross,
        )
    return amount
