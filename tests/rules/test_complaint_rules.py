"""The FAQ's two-month complaint window at its edges."""
from datetime import date, timedelta

import pytest

from console.complaints import rules
from console.errors import DomainError

ONE_DAY = timedelta(days=1)

DEADLINES = [
    (date(2025, 12, 31), date(2026, 2, 28)),  # clamped to the end of February
    (date(2027, 12, 31), date(2028, 2, 29)),  # leap year
    (date(2025, 12, 30), date(2026, 2, 28)),
    (date(2027, 12, 30), date(2028, 2, 29)),
    (date(2025, 12, 29), date(2026, 2, 28)),
    (date(2025, 8, 31), date(2025, 10, 31)),
    (date(2025, 7, 31), date(2025, 9, 30)),  # clamped to a 30-day month
    (date(2024, 2, 29), date(2024, 4, 29)),
    (date(2026, 3, 15), date(2026, 5, 15)),
    (date(2025, 11, 30), date(2026, 1, 30)),  # across the year end
]


@pytest.mark.parametrize("payment_date, deadline", DEADLINES)
def test_complaint_deadline_is_two_calendar_months_after_payment(payment_date, deadline):
    assert rules.complaint_deadline(payment_date) == deadline


@pytest.mark.parametrize("payment_date, deadline", DEADLINES)
def test_complaint_received_on_the_deadline_is_in_time(payment_date, deadline):
    assert rules.is_complaint_in_time(payment_date, deadline)
    assert rules.is_complaint_in_time(payment_date, payment_date)
    assert rules.complaint_days_left(payment_date, deadline) == 0
    rules.check_complaint_acceptable(payment_date, deadline)


@pytest.mark.parametrize("payment_date, deadline", DEADLINES)
def test_complaint_received_the_day_after_the_deadline_is_refused(payment_date, deadline):
    late = deadline + ONE_DAY
    assert not rules.is_complaint_in_time(payment_date, late)
    assert rules.complaint_days_left(payment_date, late) == -1
    with pytest.raises(DomainError) as refusal:
        rules.check_complaint_acceptable(payment_date, late)
    assert refusal.value.rule == "complaint_window"
    assert refusal.value.params == {"payment_date": payment_date, "deadline": deadline, "received_on": late}


@pytest.mark.parametrize("today, days_left", [
    (date(2026, 3, 15), 61),  # the payment day itself
    (date(2026, 5, 14), 1),
    (date(2026, 6, 15), -31),
])
def test_complaint_days_left(today, days_left):
    assert rules.complaint_days_left(date(2026, 3, 15), today) == days_left
