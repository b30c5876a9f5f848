"""Flask-AppBuilder's list filters (« Rechercher ») on date columns, read as French users type dates.

FAB reads a date filter's value with dateutil (« 05/01/2027 » becomes 1 May) and filters an unreadable one
as « is empty »; here the value goes through the console's one date parser (``inputs.day``: DD/MM/YYYY, ISO
still accepted for older links), and an unreadable date is said, in the user's language, and not applied.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, g, has_request_context, request
from flask_appbuilder.models.sqla.filters import (FilterEqual, FilterGreater, FilterNotEqual, FilterSmaller,
                                                  SQLAFilterConverter)
from flask_babel import gettext

from console import inputs

#: How much of an unreadable value the message repeats (a filter value can be any length).
SHOWN_LENGTH = 40


def refuse_day(value: Any) -> None:
    """Tell once per request that a date filter could not be read (pages only: an API's client reads no
    flash, and its list answers unfiltered by that value, as FAB's ``Greater than`` already did)."""
    if not has_request_context() or request.path.startswith("/api/"):
        return
    shown = str(value)[:SHOWN_LENGTH]
    told = g.setdefault("refused_filter_days", set())
    if shown in told:  # FAB applies the filters twice (the count, then the page)
        return
    told.add(shown)
    flash(gettext("The date \"%(value)s\" could not be read: type it as DD/MM/YYYY, e.g. 31/01/2027. "
                  "This filter was not applied.", value=shown), "warning")


class FrenchDay:
    """Filter mixin: the value read by ``inputs.day``; an unreadable one leaves the query unfiltered."""

    def apply(self, query: Any, value: Any) -> Any:
        day = value if isinstance(value, date) else inputs.day(value)
        if day is None:
            refuse_day(value)
            return query
        return super().apply(query, day)  # type: ignore[misc]


class DayEqual(FrenchDay, FilterEqual):
    pass


class DayGreater(FrenchDay, FilterGreater):
    pass


class DaySmaller(FrenchDay, FilterSmaller):
    pass


class DayNotEqual(FrenchDay, FilterNotEqual):
    pass


#: FAB's order is kept: a link's ``_flt_<index>_<column>`` names the filter by its position.
DAY_FILTERS = [DayEqual, DayGreater, DaySmaller, DayNotEqual]


class FrenchFilterConverter(SQLAFilterConverter):
    """FAB's filters, those of date columns reading French dates, each column's converted once."""

    conversion_table = tuple((kind, DAY_FILTERS if kind == "is_date" else filters)
                             for kind, filters in SQLAFilterConverter.conversion_table)

    def convert(self, col_name: str) -> list:
        """A column's filters, kept on its data interface: FAB converts every column of the model each time
        it builds a set of filters (three times a list page), while a column's filters depend on the column
        alone (they hold its name and interface, never a request's value). A copy of the kept list is
        returned: FAB extends it with a view's own filters."""
        kept = self.datamodel.__dict__.setdefault("_converted_filters", {})
        if col_name not in kept:
            kept[col_name] = super().convert(col_name)
        return list(kept[col_name]) if kept[col_name] is not None else None
