"""Locale-aware formatting and the translation of domain errors (French first)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale, gettext

DATE_PATTERN = "dd/MM/yyyy"
NBSP = "\u00a0"


def format_day(value: date | datetime | None) -> str:
    """DD/MM/YYYY, the way French administrations write dates."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def format_money(amount: Decimal | None) -> str:
    """``1 234,56 EUR`` in French, ``1,234.56 EUR`` in English."""
    if amount is None:
        return ""
    # Two decimals at least, more when a refused input had more (0,001 must not read 0,00).
    text = format_decimal(amount, format="#,##0.00##", locale=str(get_locale() or "fr"))
    # Babel groups French thousands with a narrow no-break space; keep one non-breaking space.
    return text.replace("\u202f", NBSP) + NBSP + "EUR"


def format_rate(rate: Decimal) -> str:
    """A percentage: ``2,5 %``."""
    return format_decimal(rate, format="#,##0.####", locale=str(get_locale() or "fr")) + NBSP + "%"


def format_value(key: str, value: Any) -> Any:
    """Format one parameter of a message for the user's locale (Decimals are amounts, but rates)."""
    if isinstance(value, (date, datetime)):
        return format_day(value)
    if isinstance(value, Decimal):
        return format_rate(value) if key == "rate" or key.endswith("_rate") else format_money(value)
    return value


def translate_error(message: str, params: dict[str, Any]) -> str:
    """Translate a domain message and format the dates and amounts it names."""
    return gettext(message, **{key: format_value(key, value) for key, value in params.items()})
