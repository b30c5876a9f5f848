"""French form fields: DD/MM/YYYY dates, decimal commas, values shown as lists show them, errors named."""
from datetime import date
from decimal import Decimal

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from console.forms import FrenchDateField, FrenchDecimalField, parse_decimal


class FeeForm(FlaskForm):
    class Meta:
        csrf = False

    effective_from = FrenchDateField("Effective from")
    rate = FrenchDecimalField("Rate")
    fixed = FrenchDecimalField("Fixed")


@pytest.fixture
def request_context(session_app):
    with session_app.test_request_context("/"):
        yield


@pytest.mark.parametrize("typed, parsed", [("2,5", "2.5"), ("0,10", "0.10"), ("1 234,56", "1234.56"),
                                           ("1\u00a0234,56 €", "1234.56"), ("2.5 %", "2.5"), ("12", "12")])
def test_decimal_commas_and_spaces_are_read(typed, parsed):
    assert parse_decimal(typed) == parsed


def test_a_french_form_takes_dd_mm_yyyy_and_decimal_commas(request_context):
    form = FeeForm(MultiDict({"effective_from": "01/01/2027", "rate": "2,5", "fixed": "0,10"}))
    assert form.validate(), form.errors
    assert form.effective_from.data == date(2027, 1, 1)
    assert form.rate.data == Decimal("2.5") and form.fixed.data == Decimal("0.10")
    iso = FeeForm(MultiDict({"effective_from": "2027-01-31", "rate": "0", "fixed": "0"}))
    assert iso.validate() and iso.effective_from.data == date(2027, 1, 31)
    leap = FeeForm(MultiDict({"effective_from": "29/02/2028", "rate": "0", "fixed": "0"}))
    assert leap.validate() and leap.effective_from.data == date(2028, 2, 29)


def test_edit_forms_show_values_as_lists_do(request_context):
    form = FeeForm(data={"effective_from": date(2024, 6, 14), "rate": Decimal("2.50"), "fixed": Decimal("0.1")})
    html = form.effective_from() + form.rate() + form.fixed()
    assert 'value="14/06/2024"' in html and 'value="2,5"' in html and 'value="0,10"' in html
    assert 'aria-describedby="effective_from-hint"' in html and "Format\u00a0: JJ/MM/AAAA" in html


def test_bad_dates_and_numbers_say_the_expected_format(request_context):
    form = FeeForm(MultiDict({"effective_from": "31/02/2027", "rate": "2,5,1", "fixed": "abc"}))
    assert not form.validate()
    assert form.errors["effective_from"] == ["Date non valide\u00a0: saisissez-la au format JJ/MM/AAAA, par exemple "
                                             "31/01/2027."]
    assert "virgule décimale" in form.errors["rate"][0] and "virgule décimale" in form.errors["fixed"][0]
    assert form.rate.raw_data == ["2,5,1"]  # what was typed stays in the field, nothing is erased
