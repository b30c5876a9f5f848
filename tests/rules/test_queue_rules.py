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


@pytest.mark.parametrize("for_partner, by_actor, refused", [
    (2, 9, False), (3, 0, True), (0, 10, True),  # 3 per partner, 10 per user, in the last hour
])
def test_identifier_resend_limits(for_partner, by_actor, refused):
    from console.partners.rules import TooManyResends, check_resend_allowed

    if refused:
        with pytest.raises(TooManyResends) as error:
            check_resend_allowed("PN-ALP-000001", for_partner, by_actor, "15:04")
        assert error.value.status == 429 and error.value.rule == "resend_rate"
    else:
        check_resend_allowed("PN-ALP-000001", for_partner, by_actor, "15:04")
