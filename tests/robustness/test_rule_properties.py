"""Property-based tests: for any input, the validators and the date and money rules either answer or refuse
with the domain's error (``DomainError``); nothing else escapes (no TypeError, ValueError, OverflowError...)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.complaints import rules as complaint_rules
from console.errors import DomainError
from console.inputs import RefusedInput, clean_text, integer, load_json
from console.money import rules as money_rules
from console.partners import validators
from console.tenants import rules as tenant_rules

FAST = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
TEXT = st.one_of(st.none(), st.text(), st.text(alphabet="0123456789 FRfr-"), st.from_regex(r"FR\d{2}[0-9A-Z ]{0,30}"))
DAYS = st.dates()
AMOUNTS = st.decimals(allow_nan=True, allow_infinity=True)


def refuses_only_with_domain_errors(call, *args) -> None:
    try:
        call(*args)
    except DomainError:
        pass


@FAST
@given(TEXT)
def test_identity_and_bank_validators_answer_or_refuse(value):
    for validator in (validators.validate_siret, validators.validate_iban, validators.validate_bic,
                      validators.validate_postcode, validators.validate_email, tenant_rules.validate_siren,
                      tenant_rules.validate_slug, tenant_rules.validate_code, tenant_rules.check_password_strength):
        refuses_only_with_domain_errors(validator, value)


@FAST
@given(TEXT, TEXT)
def test_a_bic_checked_against_any_iban_answers_or_refuses(bic, iban):
    refuses_only_with_domain_errors(validators.validate_bic, bic, iban)


@FAST
@given(DAYS, DAYS, DAYS, AMOUNTS, AMOUNTS, AMOUNTS)
def test_date_and_money_rules_answer_or_refuse(first, second, third, rate, fixed, gross):
    for rule, arguments in ((money_rules.check_acceptance, (first, second)),
                            (money_rules.check_registration_deadline, (first, second)),
                            (money_rules.check_payment_date, (first, second, third)),
                            (complaint_rules.check_complaint_acceptable, (first, second)),
                            (money_rules.validate_fees, (rate, fixed)),
                            (complaint_rules.check_correction_amount, (fixed, gross))):
        refuses_only_with_domain_errors(rule, *arguments)


@FAST
@given(st.text(), st.binary())
def test_inputs_are_cleaned_or_refused(text, data):
    assert not any(ch in clean_text(text) for ch in "\x00\ufffd")
    number = integer(text)
    assert number is None or abs(number) < 2**31
    try:
        load_json(data)
    except (RefusedInput, ValueError):
        pass
