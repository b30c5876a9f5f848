"""The FAQ's money rules at their edges."""
from datetime import date, timedelta
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from console.errors import Conflict, DomainError
from console.money import rules

ONE_DAY = timedelta(days=1)


def test_cheque_and_chequier_values_are_decimals():
    assert (rules.CHEQUE_VALUE, rules.CHEQUES_PER_CHEQUIER, rules.CHEQUIER_VALUE) == (D("10.00"), 10, D("100.00"))
    assert isinstance(rules.CHEQUIER_VALUE, D)


# -- validity -----------------------------------------------------------------------------------

@pytest.mark.parametrize("validity_date, accepted_on", [
    (date(2025, 12, 31), date(2025, 12, 31)),  # the validity day itself
    (date(2025, 12, 31), date(2025, 1, 1)),
])
def test_cheque_accepted_until_its_validity_date(validity_date, accepted_on):
    rules.check_acceptance(validity_date, accepted_on)


@pytest.mark.parametrize("validity_date, accepted_on", [
    (date(2025, 12, 31), date(2026, 1, 1)),  # the day after
    (date(2024, 2, 28), date(2024, 2, 29)),
    (date(2025, 6, 15), date(2026, 6, 15)),
])
def test_cheque_accepted_after_its_validity_date_is_refused(validity_date, accepted_on):
    with pytest.raises(DomainError) as refusal:
        rules.check_acceptance(validity_date, accepted_on)
    assert refusal.value.rule == "validity"
    assert refusal.value.params == {"validity_date": validity_date, "accepted_on": accepted_on}


# -- registration deadline (M+1) ----------------------------------------------------------------

DEADLINES = [
    (date(2025, 12, 31), date(2026, 1, 31)),  # the FAQ's example, across the year end
    (date(2026, 6, 15), date(2026, 7, 31)),
    (date(2024, 1, 31), date(2024, 2, 29)),  # leap year
    (date(2025, 1, 31), date(2025, 2, 28)),
    (date(2025, 11, 30), date(2025, 12, 31)),
    (date(2025, 10, 31), date(2025, 11, 30)),
    (date(2025, 3, 1), date(2025, 4, 30)),
]


@pytest.mark.parametrize("validity_date, deadline", DEADLINES)
def test_registration_deadline_is_the_last_day_of_the_next_month(validity_date, deadline):
    assert rules.registration_deadline(validity_date) == deadline


@pytest.mark.parametrize("validity_date, deadline", DEADLINES)
def test_registration_accepted_on_the_deadline_itself(validity_date, deadline):
    rules.check_registration_deadline(validity_date, deadline)
    rules.check_registration_deadline(validity_date, validity_date)


@pytest.mark.parametrize("validity_date, deadline", DEADLINES)
def test_registration_the_day_after_the_deadline_is_refused(validity_date, deadline):
    with pytest.raises(DomainError) as refusal:
        rules.check_registration_deadline(validity_date, deadline + ONE_DAY)
    assert refusal.value.rule == "registration_deadline"
    assert refusal.value.params == {
        "validity_date": validity_date, "deadline": deadline, "submitted_on": deadline + ONE_DAY,
    }


# -- fees ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("face, rate, fixed, fees, net", [
    ("10.00", "0", "0", "0.00", "10.00"),  # no fees
    ("10.00", "2.5", "0", "0.25", "9.75"),  # rate only
    ("10.00", "0", "0.30", "0.30", "9.70"),  # fixed only
    ("10.00", "2.5", "0.30", "0.55", "9.45"),  # rate and fixed
    ("10.00", "0.05", "0", "0.01", "9.99"),  # 0.005 rounds half-up (half-even would give 0.00)
    ("10.00", "0.25", "0", "0.03", "9.97"),  # 0.025 rounds half-up (half-even would give 0.02)
    ("10.00", "0.15", "0.01", "0.03", "9.97"),  # 0.015 + 0.01 = 0.025
    ("10.00", "0.049", "0", "0.00", "10.00"),  # 0.0049: just under half a cent
    ("10.00", "0.1", "0", "0.01", "9.99"),  # exactly one cent
    ("10.00", "100", "0", "10.00", "0.00"),
    ("10.00", "0", "10.00", "10.00", "0.00"),
    ("5.00", "3.3", "0", "0.17", "4.83"),  # 0.165 on another face value
])
def test_cheque_fees_are_rounded_half_up_to_the_cent(face, rate, fixed, fees, net):
    assert str(rules.cheque_fees(D(face), D(rate), D(fixed))) == fees
    assert str(rules.cheque_net(D(face), D(rate), D(fixed))) == net


@pytest.mark.parametrize("rate, fixed", [
    ("0", "0"),
    ("2.5", "0.30"),
    ("100", "0"),  # fees equal to the face value
    ("0", "10.00"),
    ("99.9", "0.01"),  # 9.99 + 0.01 = 10.00
    ("0.125", "0"),  # rates may have more than two decimals
    ("0.149", "0"),  # three at most (rules.RATE_STEP)
    ("0.001", "0"),
])
def test_valid_fees(rate, fixed):
    assert rules.validate_fees(D(rate), D(fixed)) == rules.Fees(D(rate), D(fixed))


@pytest.mark.parametrize("rate, fixed, field, params", [
    ("-0.01", "0", "rate", {"rate": D("-0.01")}),
    ("100.01", "0", "rate", {"rate": D("100.01")}),
    ("Infinity", "0", "rate", {"rate": D("Infinity")}),
    ("0", "-0.01", "fixed", {"fixed": D("-0.01")}),
    ("0", "0.001", "fixed", {"fixed": D("0.001")}),  # more than two decimals
    ("0.1495", "0", "rate", {"rate": D("0.1495")}),  # more than three decimals
    ("0.0001", "0", "rate", {"rate": D("0.0001")}),
    ("0", "10.01", "fixed", {"fees": D("10.01"), "face_value": D("10.00")}),  # one cent over
    ("100", "0.01", "fixed", {"fees": D("10.01"), "face_value": D("10.00")}),
    ("99.95", "0.01", "fixed", {"fees": D("10.01"), "face_value": D("10.00")}),  # over once rounded
])
def test_invalid_fees_are_refused(rate, fixed, field, params):
    with pytest.raises(DomainError) as refusal:
        rules.validate_fees(D(rate), D(fixed))
    assert (refusal.value.rule, refusal.value.field) == ("fees", field)
    assert refusal.value.params == params


@pytest.mark.parametrize("cheques, rate, fixed, totals", [
    (3, "2.5", "0.30", ("30.00", "1.65", "28.35")),
    (rules.CHEQUES_PER_CHEQUIER, "0", "0", ("100.00", "0.00", "100.00")),
    ([D("10.00"), D("10.00")], "0.05", "0", ("20.00", "0.02", "19.98")),  # rounded per cheque, not on the total
    ([D("10.00"), D("5.00")], "3.3", "0", ("15.00", "0.50", "14.50")),  # 0.33 + 0.17
    (0, "2.5", "0.30", ("0.00", "0.00", "0.00")),
    ([], "2.5", "0.30", ("0.00", "0.00", "0.00")),
])
def test_price_cheques_sums_per_cheque_rounded_amounts(cheques, rate, fixed, totals):
    pricing = rules.price_cheques(cheques, D(rate), D(fixed))
    assert tuple(map(str, pricing)) == totals
    assert pricing.net == pricing.gross - pricing.fees


# -- fee schedule in force ----------------------------------------------------------------------

JANUARY = SimpleNamespace(effective_from=date(2026, 1, 1), version=1)
MARCH = SimpleNamespace(effective_from=date(2026, 3, 1), version=2)
MARCH_CORRECTED = SimpleNamespace(effective_from=date(2026, 3, 1), version=3)
UNVERSIONED = SimpleNamespace(effective_from=date(2026, 2, 1))


@pytest.mark.parametrize("schedules, on_date, expected", [
    ([JANUARY, MARCH], date(2026, 3, 1), MARCH),  # effective on the submission date itself
    ([MARCH, JANUARY], date(2026, 2, 28), JANUARY),  # the day before
    ([JANUARY, MARCH], date(2027, 1, 1), MARCH),
    ([JANUARY], date(2026, 1, 1), JANUARY),
    ([MARCH_CORRECTED, MARCH, JANUARY], date(2026, 3, 1), MARCH_CORRECTED),  # tie: highest version
    ([MARCH, MARCH_CORRECTED], date(2026, 3, 1), MARCH_CORRECTED),
    ([JANUARY, UNVERSIONED], date(2026, 2, 1), UNVERSIONED),  # no version attribute
])
def test_schedule_in_force_on_a_date(schedules, on_date, expected):
    assert rules.schedule_in_force(iter(schedules), on_date) is expected


@pytest.mark.parametrize("schedules, on_date", [
    ([JANUARY, MARCH], date(2025, 12, 31)),
    ([], date(2026, 3, 1)),
])
def test_no_schedule_in_force_is_refused(schedules, on_date):
    with pytest.raises(DomainError) as refusal:
        rules.schedule_in_force(schedules, on_date)
    assert refusal.value.rule == "fees"
    assert refusal.value.params == {"on_date": on_date}


# -- payment delay ------------------------------------------------------------------------------

@pytest.mark.parametrize("validated_on, due", [
    (date(2026, 12, 20), date(2027, 1, 4)),  # across the year end
    (date(2026, 1, 31), date(2026, 2, 15)),
    (date(2026, 2, 20), date(2026, 3, 7)),
    (date(2028, 2, 20), date(2028, 3, 6)),  # leap year
    (date(2026, 4, 16), date(2026, 5, 1)),  # across a 30-day month end
])
def test_payment_is_due_fifteen_calendar_days_after_validation(validated_on, due):
    assert rules.payment_due_date(validated_on) == due


@pytest.mark.parametrize("today, paid_on, overdue", [
    (date(2027, 1, 4), None, False),  # unpaid on the due date
    (date(2027, 1, 5), None, True),  # unpaid the day after
    (date(2027, 3, 1), date(2027, 1, 4), False),  # paid on the due date
    (date(2027, 3, 1), date(2027, 1, 5), True),  # paid the day after
    (date(2026, 12, 21), date(2026, 12, 21), False),
])
def test_payment_overdue_after_the_due_date(today, paid_on, overdue):
    assert rules.is_payment_overdue(date(2026, 12, 20), today, paid_on) is overdue


# -- fraud block --------------------------------------------------------------------------------

def test_unblocked_partner_can_be_validated_and_paid():
    rules.check_not_blocked(False, "Médiathèque de Lens", date(2026, 1, 5))


def test_blocked_partner_is_refused():
    with pytest.raises(DomainError) as refusal:
        rules.check_not_blocked(True, "Médiathèque de Lens", date(2026, 1, 5))
    assert refusal.value.rule == "fraud_block"
    assert refusal.value.params == {"partner": "Médiathèque de Lens", "blocked_since": date(2026, 1, 5)}


@pytest.mark.parametrize("text, kept", [
    ("x" * 20, "x" * 20),  # exactly the minimum
    ("  Contrôle sur place : aucune fraude.  ", "Contrôle sur place : aucune fraude."),
])
def test_unblock_justification_accepted(text, kept):
    assert rules.check_unblock_justification(text) == kept


@pytest.mark.parametrize("text, length", [
    (None, 0),
    ("", 0),
    ("   \n\t ", 0),
    ("x" * 19, 19),  # one character short
    ("   " + "x" * 19 + "      ", 19),  # padding does not count
])
def test_unblock_justification_refused(text, length):
    with pytest.raises(DomainError) as refusal:
        rules.check_unblock_justification(text)
    assert (refusal.value.rule, refusal.value.field) == ("fraud_block", "justification")
    assert refusal.value.params == {"min_length": 20, "length": length}


# -- one reimbursement per cheque ---------------------------------------------------------------

def test_cheque_never_reimbursed_is_accepted():
    rules.check_not_already_reimbursed("0123456789", None)


def test_cheque_already_reimbursed_is_refused():
    with pytest.raises(Conflict) as refusal:
        rules.check_not_already_reimbursed("0123456789", "RB-2026-0042")
    assert refusal.value.rule == "one_reimbursement"
    assert refusal.value.params == {"cheque_number": "0123456789", "request_reference": "RB-2026-0042"}
