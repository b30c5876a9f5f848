"""Rules of password links at their edges."""
from datetime import datetime, timedelta

import pytest

from console.accounts import rules
from console.errors import DomainError

CREATED = datetime(2026, 2, 28, 23, 30)


def test_a_reset_link_lives_one_hour_and_a_welcome_link_three_days():
    assert rules.link_expiry(rules.RESET, CREATED) == datetime(2026, 3, 1, 0, 30)
    assert rules.link_expiry(rules.WELCOME, CREATED) == datetime(2026, 3, 3, 23, 30)


def test_a_link_works_until_the_second_before_its_expiry():
    expires = rules.link_expiry(rules.RESET, CREATED)
    rules.check_link_usable(expires, None, None, expires - timedelta(microseconds=1))
    for used, revoked, now in ((None, None, expires), (CREATED, None, CREATED), (None, CREATED, CREATED)):
        with pytest.raises(DomainError):
            rules.check_link_usable(expires, used, revoked, now)


def test_three_reset_mails_an_hour_then_none():
    assert rules.may_send_reset(2) and not rules.may_send_reset(3)
