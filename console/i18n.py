"""Locale-aware formatting and the translation of domain errors (French first)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Callable

from babel.numbers import format_decimal
from flask_babel import format_datetime, get_locale, gettext

from console.labels import label

DATE_PATTERN = "dd/MM/yyyy"
MOMENT_PATTERN = "dd/MM/yyyy HH:mm"
NBSP = "\u00a0"


def format_day(value: date | datetime | None) -> str:
    """DD/MM/YYYY, the way French administrations write dates; a timestamp gives its day in Paris."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # stored as naive UTC: 23:30 UTC on 31/12 is already 01/01 in Paris
        return format_datetime(value, DATE_PATTERN)
    return value.strftime("%d/%m/%Y")


def format_moment(value: datetime | None) -> str:
    """DD/MM/YYYY HH:MM in the users' time zone (Europe/Paris): timestamps are stored as naive UTC."""
    if value is None:
        return ""
    return format_datetime(value, MOMENT_PATTERN)


def format_label(member: Enum | None) -> str:
    """The translated label of an enum member (a status, a channel, a reason)."""
    if member is None:
        return ""
    return _label_text(member, str(get_locale() or "fr"))


@lru_cache(maxsize=1024)
def _label_text(member: Enum, locale: str) -> str:
    """Kept per (member, locale): a list shows a status and a channel on each of its rows."""
    return gettext(label(member))


def format_yes_no(value: bool | None) -> str:
    """"Oui"/"Non" (or "Yes"/"No") rather than True/False."""
    if value is None:
        return ""
    return gettext("Yes") if value else gettext("No")


def is_rate(name: str) -> bool:
    """Decimals named ``rate`` or ``*_rate`` are percentages; the others are amounts in euros."""
    return name == "rate" or name.endswith("_rate")


def format_money(amount: Decimal | None) -> str:
    """``1 234,56 €`` in French, ``1,234.56 €`` in English."""
    if amount is None:
        return ""
    return _money_text(str(amount), str(get_locale() or "fr"))


@lru_cache(maxsize=4096)
def _money_text(amount: str, locale: str) -> str:
    """Kept per (amount, locale): a page shows many amounts, often the same ones (face values, fees), and
    Babel's formatting is a tenth of a list page's time."""
    # Two decimals at least, more when a refused input had more (0,001 must not read 0,00).
    text = format_decimal(Decimal(amount), format="#,##0.00##", locale=locale)
    # Babel groups French thousands with a narrow no-break space; keep one non-breaking space.
    return text.replace("\u202f", NBSP) + NBSP + "€"


def format_rate(rate: Decimal | None) -> str:
    """A percentage: ``2,5 %``."""
    if rate is None:
        return ""
    return format_decimal(rate, format="#,##0.####", locale=str(get_locale() or "fr")) + NBSP + "%"


def format_value(key: str, value: Any) -> Any:
    """Format one parameter of a message for the user's locale (Decimals are amounts, but rates; enums, labels)."""
    if isinstance(value, (date, datetime)):
        return format_day(value)
    if isinstance(value, Decimal):
        return format_rate(value) if is_rate(key) else format_money(value)
    if isinstance(value, Enum):
        return format_label(value)
    return value


def refusal(check: Callable[[], None]) -> str | None:
    """The translated refusal a rule would give (``check`` raises a DomainError), or None when it allows:
    pages hide or disable an action, with this reason, rather than offer one that fails."""
    from console.errors import DomainError

    try:
        check()
    except DomainError as error:
        return str(error)
    return None


def translate_error(message: str, params: dict[str, Any]) -> str:
    """Translate a domain message and format the dates and amounts it names."""
    return gettext(message, **{key: format_value(key, value) for key, value in params.items()})


def format_person(user: Any) -> str:
    """A person as colleagues know them: « Claire Seconde » rather than the login « lyon-correspondant2 »."""
    if user is None:
        return ""
    return (f"{user.first_name or ''} {user.last_name or ''}").strip() or user.username


#: The filters every page's templates may use: ``{{ item.status|label }}``, ``{{ step.at|moment }}``...
TEMPLATE_FILTERS = {"label": format_label, "day": format_day, "moment": format_moment, "money": format_money,
                    "rate": format_rate, "person": format_person}
