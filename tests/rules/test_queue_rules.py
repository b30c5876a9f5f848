"""The work queues' windows at their edges: « due within 3 days », « closes within 7 days »."""
from datetime import date

import pytest

from console.queues import rules


@pytest.mark.parametrize("due_on, expected", [
    (date(2024, 2, 27), False),  # yesterday: overdue, not « due soon »
    (date(2024, 2, 28), True),  # today
    (date(2024, 3, 2), True),  # the 3rd day, across a leap day
    (date(2024, 3, 3), False),  # the 4th day
])
def test_payment_due_soon(due_on, expected):
    assert rules.is_payment_due_soon(due_on, date(2024, 2, 28)) is expected


@pytest.mark.parametrize("deadline, expected", [
    (date(2025, 12, 27), False),  # closed yesterday
    (date(2025, 12, 28), True),  # closes today
    (date(2026, 1, 4), True),  # the 7th day, across the year end
    (date(2026, 1, 5), False),  # the 8th day
])
def test_complaint_closing_soon(deadline, expected):
    assert rules.is_complaint_closing_soon(deadline, date(2025, 12, 28)) is expected
