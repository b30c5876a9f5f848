"""The audit trail's daily checkpoint is due once per Europe/Paris day (timestamps are naive UTC)."""
from datetime import datetime

import pytest

from console.audit.anchor import checkpoint_due


@pytest.mark.parametrize("last, now, due", [
    (None, datetime(2026, 1, 15, 12), True),
    # Winter (UTC+1): 22:59 UTC is 23:59 in Paris, the same day; 23:30 UTC is already the 16th.
    (datetime(2026, 1, 15, 0, 10), datetime(2026, 1, 15, 22, 59), False),
    (datetime(2026, 1, 15, 0, 10), datetime(2026, 1, 15, 23, 30), True),
    # A checkpoint signed at 23:30 UTC on the 14th belongs to the 15th in Paris: none more that day.
    (datetime(2026, 1, 14, 23, 30), datetime(2026, 1, 15, 12), False),
    (datetime(2026, 1, 14, 23, 30), datetime(2026, 1, 15, 23, 0), True),
    # Summer (UTC+2): 21:59 UTC is 23:59 in Paris; 22:00 and 23:30 UTC are the next day.
    (datetime(2026, 7, 1, 0, 30), datetime(2026, 7, 1, 21, 59), False),
    (datetime(2026, 7, 1, 0, 30), datetime(2026, 7, 1, 22, 0), True),
    (datetime(2026, 7, 1, 0, 30), datetime(2026, 7, 1, 23, 30), True),
    (datetime(2026, 6, 30, 23, 30), datetime(2026, 7, 1, 10, 0), False),
    # The night the clocks go back (25/10/2026, 01:00 UTC): 00:30 and 01:30 UTC are the same Paris day.
    (datetime(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 1, 30), False),
    (datetime(2026, 10, 24, 21, 59), datetime(2026, 10, 24, 22, 0), True),
])
def test_a_checkpoint_is_due_once_per_paris_day(last, now, due):
    assert checkpoint_due(last, now) is due
