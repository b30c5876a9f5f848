"""French form fields: dates typed DD/MM/YYYY, decimal commas, values shown as the lists show them.

Flask-AppBuilder builds model forms with WTForms' ``DateField`` (ISO only, shown ``2024-06-14``, with an
English calendar starting on Sunday) and ``DecimalField`` (refuses « 2,5 », shows ``0.00``);
``FormattedColumns`` swaps them for these in every console model view.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale, gettext, lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateField, DecimalField
from wtforms.widgets import html_params

from console import inputs
from console.inputs import parse_decimal
from console.i18n import is_rate

#: How a date is shown in a field (``inputs.day`` reads it back, and ISO too).
DATE_FORMAT = "%d/%m/%Y"


def date_error() -> str:
    """What a date that could not be read is told, in the user's language."""
    return gettext("Not a valid date: type it as DD/MM/YYYY, e.g. 31/01/2027.")


class HintedInput:
    """A text input followed by its format hint, the two tied by ``aria-describedby``."""

    def __init__(self, hint: Any, css_class: str = "", inputmode: str = "decimal") -> None:
        self.hint = hint
        self.css_class = css_class
        self.inputmode = inputmode

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        name = kwargs.pop("name_", kwargs.pop("name", field.name))
        hint_id = f"{field.id}-hint"
        described = " ".join(filter(None, [kwargs.pop("aria-describedby", ""), hint_id]))
        attributes = html_params(type="text", name=name, value=field._value(), inputmode=self.inputmode,
                                 autocomplete="off", class_=f"form-control {self.css_class}".strip(),
                                 **{"aria-describedby": described}, **{k: v for k, v in kwargs.items()
                                                                       if k not in ("class_", "class")})
        hint = Markup.escape(str(self.hint))
        return Markup(f'<input {attributes}><span class="field-hint" id="{hint_id}">{hint}</span>')


class FrenchDateField(DateField):
    """A day typed DD/MM/YYYY (ISO accepted), shown DD/MM/YYYY; a French calendar (Monday first) helps."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.pop("format", None)
        kwargs["widget"] = HintedInput(_l("Format: DD/MM/YYYY"), "console-date", "numeric")
        super().__init__(label, validators, format=DATE_FORMAT, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        self.data = inputs.day(" ".join(valuelist))  # the one parser of typed dates
        if self.data is None:  # WTForms' message names no format; ours does, in the user's language
            raise ValueError(date_error())


class FilterDateInput:
    """The date input of a list's filter (« Rechercher »): Flask-AppBuilder's is ISO with an English calendar.
    Typed DD/MM/YYYY, a French calendar (Monday first) on focus — bootstrap-datepicker's ``data-provide``
    starts it lazily, as FAB's filter script inserts the input only when the filter is added — and the format
    hint tied by ``aria-describedby``. ``console.views.filters`` reads the value."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        hint_id = f"{field.id}-filter-hint"
        language = "fr" if str(get_locale() or "fr").startswith("fr") else "en"
        attributes = html_params(
            type="text", name=kwargs.pop("name", field.name), inputmode="numeric", autocomplete="off",
            class_="form-control console-filter-date",
            **{"aria-label": str(field.label.text), "aria-describedby": hint_id, "data-provide": "datepicker",
               "data-date-format": "dd/mm/yyyy", "data-date-language": language, "data-date-week-start": "1",
               "data-date-autoclose": "true", "data-date-force-parse": "false"})
        hint = Markup.escape(gettext("Format: DD/MM/YYYY"))
        return Markup(f'<div><input {attributes}><span class="field-hint" id="{hint_id}">{hint}</span></div>')


class FrenchDecimalField(DecimalField):
    """An amount or rate typed with a decimal comma (a point, spaces and « € » / « % » accepted)."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs["widget"] = HintedInput(_l("Decimal comma, e.g. 2,5"))
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata([parse_decimal(value) for value in valuelist])
        except ValueError:
            raise ValueError(gettext("Not a valid number: write it with a decimal comma, e.g. 2,5.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal):
            pattern = "0.######" if is_rate(self.name) else "0.00####"  # as lists show them: 2,5 % and 0,10 €
            return format_decimal(self.data, format=pattern, locale=str(get_locale() or "fr"))
        return super()._value()

