"""Server dates (console.money.dates) and the acceptance rules at their edges: pure functions, no database."""
from datetime import date, datetime

import pytest

from console.errors import DomainError
from console.money import rules
from console.money.dates import entry_date, paris_day, server_entry

JUSTIFIED = "Courrier reçu le 28/11, saisi en retard"


@pytest.mark.parametrize("moment, day", [
    (datetime(2025, 12, 31, 22, 59, 59), date(2025, 12, 31)),  # winter: UTC+1
    (datetime(2025, 12, 31, 23, 0, 0), date(2026, 1, 1)),
    (datetime(2026, 6, 30, 21, 59, 59), date(2026, 6, 30)),  # summer: UTC+2
    (datetime(2026, 6, 30, 22, 0, 0), date(2026, 7, 1)),
    (datetime(2024, 2, 28, 23, 30), date(2024, 2, 29)),  # leap day
    (datetime(2026, 3, 29, 0, 59), date(2026, 3, 29)),  # the night the clocks go forward
])
def test_the_rules_day_is_the_paris_day_of_the_server_clock(moment, day):
    assert paris_day(moment) == day
    assert server_entry(moment).day == day and server_entry(moment).at == moment


NOW = datetime(2026, 1, 31, 23, 30)  # 1 February 2026, 00:30 in Paris
TODAY = date(2026, 2, 1)


@pytest.mark.parametrize("requested, justification, operator, outcome", [
    (None, None, False, TODAY),
    (TODAY, None, False, TODAY),
    (date(2026, 1, 31), None, False, "server_date"),  # the UTC day: still not the server's Paris day
    (date(2026, 1, 31), JUSTIFIED, False, "server_date"),  # a justification gives a correspondent nothing
    (date(2026, 2, 2), None, False, "server_date"),
    (date(2026, 2, 2), JUSTIFIED, True, "server_date"),  # never in the future, not even the operator
    (date(2026, 1, 31), None, True, "late_entry"),
    (date(2026, 1, 31), "  123456789  ", True, "late_entry"),  # 9 characters once stripped
    (date(2026, 1, 31), "0123456789", True, date(2026, 1, 31)),  # exactly the minimum length
    (date(2025, 12, 31), JUSTIFIED, True, date(2025, 12, 31)),
])
def test_only_the_operator_backdates_and_only_with_a_justification(requested, justification, operator, outcome):
    if isinstance(outcome, str):
        with pytest.raises(DomainError) as refusal:
            entry_date(NOW, requested, justification, operator, "accepted_on")
        assert refusal.value.rule == outcome
        assert refusal.value.params["requested"] == requested and refusal.value.params["today"] == TODAY
        return
    entry = entry_date(NOW, requested, justification, operator, "accepted_on")
    assert (entry.day, entry.at) == (outcome, NOW)
    assert entry.late is (outcome != TODAY)
    assert entry.late_justification == (justification.strip() if entry.late else None)


@pytest.mark.parametrize("distributed_on, accepted_on, refused", [
    (None, date(2026, 3, 1), True),
    (date(2026, 3, 2), date(2026, 3, 1), True),
    (date(2026, 3, 2), date(2026, 3, 2), False),
    (date(2024, 2, 29), date(2024, 3, 1), False),
])
def test_a_cheque_is_accepted_only_once_distributed(distributed_on, accepted_on, refused):
    if refused:
        with pytest.raises(DomainError) as refusal:
            rules.check_distributed("A1-01", distributed_on, accepted_on)
        assert refusal.value.rule == "not_distributed"
    else:
        rules.check_distributed("A1-01", distributed_on, accepted_on)


@pytest.mark.parametrize("approved_on, accepted_on, refused", [
    (date(2026, 3, 2), date(2026, 3, 1), True),
    (date(2026, 3, 2), date(2026, 3, 2), False),
    (None, date(2026, 3, 1), False),  # approved before the console kept the day: approved now is enough
])
def test_a_cheque_is_accepted_only_while_the_partner_is_approved(approved_on, accepted_on, refused):
    if refused:
        with pytest.raises(DomainError) as refusal:
            rules.check_partner_approved_on("Asso", approved_on, accepted_on)
        assert refusal.value.rule == "partner_approved" and refusal.value.params["approved_on"] == approved_on
    else:
        rules.check_partner_approved_on("Asso", approved_on, accepted_on)
