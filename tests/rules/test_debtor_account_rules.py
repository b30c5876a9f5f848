"""The debtor account of a collectivité's SEPA files and the amounts a transfer carries, at their edges."""
from decimal import Decimal

import pytest

from console.errors import DomainError
from console.money.sepa import cents
from console.tenants.rules import SEPA_NAME_MAX, check_debtor_account

IBAN = "FR76 1007 1690 0000 0020 0123 464"


def test_none_or_all_three_normalised():
    assert check_debtor_account(None, " ", "") == (None, None, None)
    assert check_debtor_account(" Trésor ", IBAN.lower(), "trpu frp1") == (
        "Trésor", "FR7610071690000000200123464", "TRPUFRP1")


@pytest.mark.parametrize("name, iban, bic, field", [
    ("Trésor", IBAN, "", "debtor_bic"),
    ("", IBAN, "TRPUFRP1", "debtor_name"),
    ("Trésor", IBAN[:-1] + "5", "TRPUFRP1", "debtor_iban"),  # wrong RIB key
    ("Trésor", IBAN, "DEUTDEFF", "debtor_bic"),  # a German bank for a French IBAN
    ("x" * (SEPA_NAME_MAX + 1), IBAN, "TRPUFRP1", "debtor_name"),
])
def test_refusals_name_their_field(name, iban, bic, field):
    with pytest.raises(DomainError) as refused:
        check_debtor_account(name, iban, bic)
    assert refused.value.field == field


def test_the_name_may_use_the_whole_sepa_length():
    assert check_debtor_account("x" * SEPA_NAME_MAX, IBAN, "TRPUFRP1")[0] == "x" * SEPA_NAME_MAX


@pytest.mark.parametrize("amount, expected", [(Decimal("0.01"), 1), (Decimal("9.75"), 975),
                                              (Decimal("1234.50"), 123450)])
def test_amounts_in_whole_cents(amount, expected):
    assert cents(amount) == expected


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("0.005"), Decimal("-0.01")])
def test_no_fraction_of_a_cent_nor_nothing(amount):
    with pytest.raises(DomainError):
        cents(amount)
