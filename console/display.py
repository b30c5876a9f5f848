"""How model views show values (enum labels, DD/MM/YYYY, Paris time, Oui/Non, euros or percentages) and
take them (dates typed DD/MM/YYYY, decimal commas: ``console.forms``).

FAB prints a column's raw value (an enum's value, ``2026-02-03 08:18:22.022566``,
``None``); ``FormattedColumns`` gives every model view a formatter per column,
derived from the column's type, unless the view formats that column itself.
"""
from __future__ import annotations

from typing import Any, Callable

from flask_appbuilder.fields import EnumField
from wtforms import DateField, DecimalField

from console.forms import FilterDateInput, FrenchDateField, FrenchDecimalField
from sqlalchemy import Boolean, Date, DateTime, Enum, Numeric, inspect
from sqlalchemy.types import TypeEngine
from wtforms.validators import ValidationError

from console.i18n import format_day, format_label, format_moment, format_money, format_rate, format_yes_no, is_rate


def shown(value: Any) -> Any:
    """A value as a list or show page prints it: nothing for None, related rows separated by commas."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(each) for each in value)
    return value


def enum_formatter(kind: type) -> Callable[[Any], str]:
    """FAB hands formatters an enum member's value: show the member's translated label instead."""
    return lambda value: "" if value is None else format_label(kind(value))


def column_formatter(name: str, column_type: TypeEngine) -> Callable[[Any], Any]:
    """How users read a column: labels, DD/MM/YYYY, Paris time, Oui/Non, euros or percentages."""
    if isinstance(column_type, Enum) and column_type.enum_class is not None:
        return enum_formatter(column_type.enum_class)
    if isinstance(column_type, DateTime):
        return format_moment
    if isinstance(column_type, Date):
        return format_day
    if isinstance(column_type, Boolean):
        return format_yes_no
    if isinstance(column_type, Numeric):
        return format_rate if is_rate(name) else format_money
    return shown


def model_formatters(model: type) -> dict[str, Callable[[Any], Any]]:
    """A formatter for every column and relationship of ``model``."""
    mapper = inspect(model)
    formatters = {attr.key: column_formatter(attr.key, attr.columns[0].type) for attr in mapper.column_attrs}
    return {**formatters, **{rel.key: shown for rel in mapper.relationships}}


class LabelledEnumField(EnumField):
    """FAB's enum drop-down, showing each member's translated label rather than its value."""

    def __init__(self, enum_class: Any, enums: Any, **kwargs: Any) -> None:
        super().__init__(enum_class, enums, **kwargs)
        if enum_class is not None:
            self.choices = [(name, format_label(enum_class[name])) for name in enums]

    def pre_validate(self, form: Any) -> None:
        # FAB raises a bare ValueError (a server error) for a missing or unknown choice: WTForms 3 shows only
        # a ValidationError as the field's message.
        try:
            super().pre_validate(form)
        except ValueError as error:
            raise ValidationError(str(error)) from None


#: The French fields that replace Flask-AppBuilder's in add and edit forms.
FRENCH_FIELDS = {DateField: FrenchDateField, DecimalField: FrenchDecimalField}


class FormattedColumns:
    """Model-view mixin: each column shown as users read it (unless the view formats it), enum choices by label."""

    def __init__(self, **kwargs: Any) -> None:
        self.formatters_columns = {**model_formatters(self.datamodel.obj), **(self.formatters_columns or {})}
        super().__init__(**kwargs)

    def _init_forms(self) -> None:
        super()._init_forms()
        for form in (self.add_form, self.edit_form, self.search_form):
            for unbound in vars(form).values():
                if getattr(unbound, "field_class", None) is EnumField:
                    unbound.field_class = LabelledEnumField
        # Search filters keep Flask-AppBuilder's fields (its filters read what they send, through
        # ``console.views.filters``); a date one gets the French input.
        for unbound in vars(self.search_form).values():
            if getattr(unbound, "field_class", None) is DateField:
                unbound.kwargs["widget"] = FilterDateInput()
        for form in (self.add_form, self.edit_form):
            for unbound in vars(form).values():
                french = FRENCH_FIELDS.get(getattr(unbound, "field_class", None))
                if french is not None:
                    unbound.field_class = french
