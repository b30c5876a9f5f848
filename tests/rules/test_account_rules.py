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


def test_a_session_ends_at_its_idle_limit_or_lifetime_to_the_second():
    signed_in = datetime(2026, 3, 29, 0, 30)  # the night France moves to summer time: UTC is unaffected
    idle, lifetime = timedelta(minutes=30), timedelta(hours=12)
    seen = signed_in + timedelta(hours=11)
    assert rules.session_open(signed_in, seen, None, 2, 2, seen + idle - timedelta(seconds=1), idle, lifetime)
    assert not rules.session_open(signed_in, seen, None, 2, 2, seen + idle, idle, lifetime)
    end = signed_in + lifetime
    assert not rules.session_open(signed_in, end, None, 2, 2, end, None, lifetime)
    assert rules.session_open(signed_in, end, None, 2, 2, end - timedelta(seconds=1), None, lifetime)
    assert not rules.session_open(signed_in, seen, None, 1, 2, seen, idle, lifetime)  # older version
    assert not rules.session_open(signed_in, seen, seen, 2, 2, seen, idle, lifetime)  # logged out
