"""What keeps a console list fast at national scale, whatever the number of rows.

* a stable order: the unique key last (FAB adds the id after a non-unique sort column, and
  nothing at all without one; here a list without a sort is ordered by id);
* eager loads: the relations a list shows are loaded with its page (``eager``), not row by row;
* a capped count: counting stops at ``MAX_ROWS`` (a count over millions of rows costs more
  than the page itself); the page then reads « more than 10 000 »;
* a bounded depth: pages beyond ``MAX_ROWS`` rows are refused with a message inviting a
  filter (an OFFSET that deep reads and throws away every row before it).
"""
from __future__ import annotations

from enum import Enum
from operator import attrgetter
from typing import Any, Callable, Iterable, Iterator

from flask import flash, request, session
from flask_appbuilder.urltools import get_filter_args, get_order_args, get_page_args, get_page_size_args
from flask_babel import format_decimal, gettext
from sqlalchemy import desc, func, select

from console.views.interfaces import UniqueAwareInterface
from console.views.list_table import ListTable
from console.views.search_form import KeptSearchWidget

MAX_ROWS = 10_000


class CappedCount(int):
    """A count stopped at a cap: compares and divides as the cap, reads « more than 10 000 »."""

    capped = True  # templates test ``count.capped`` (undefined, hence false, on a plain int)

    def __str__(self) -> str:
        return gettext("more than %(count)s", count=format_decimal(int(self)))


def capped(count: int) -> int:
    """The count of at most ``MAX_ROWS + 1`` rows, as the user reads it."""
    return CappedCount(MAX_ROWS) if count > MAX_ROWS else count


def capped_total(statement: Any) -> Any:
    """A select of how many rows ``statement`` returns, counting no further than the cap.

    Only the first entity's id is selected: the database can count from an index instead of reading every
    column of up to 10,001 rows (the tenancy hook scopes the id's entity as it would the whole row)."""
    entity = statement.column_descriptions[0]["entity"]
    keys = statement.with_only_columns(entity.id, maintain_column_froms=True)
    return select(func.count()).select_from(keys.order_by(None).limit(MAX_ROWS + 1).subquery())


def capped_count(session: Any, statement: Any) -> int:
    """How many rows ``statement`` returns, as the user reads it (``capped_total``)."""
    return capped(session.scalar(capped_total(statement)))


def page_with_count(session: Any, statement: Any, offset: int, size: int) -> tuple[list, int]:
    """One page of ``statement``'s first entity and the capped count of all its rows, read together: the
    count is a scalar subquery of the page's statement (one round trip and one statement fewer). A page
    past the last row has no row to carry the count: it is then counted alone."""
    found = session.execute(statement.add_columns(capped_total(statement).scalar_subquery())
                            .limit(size).offset(offset)).all()
    if not found:
        return [], capped_count(session, statement)
    return [row[0] for row in found], capped(found[0][-1])


def too_deep(first_row: int) -> bool:
    """Whether a page starting at this row (0-based) is beyond the depth lists page to."""
    return first_row >= MAX_ROWS


def deepest_page(page_size: int) -> int:
    """The last page (1-based) a list of this page size serves."""
    return max(MAX_ROWS // page_size, 1)


def depth_message() -> str:
    return gettext("Only the first %(rows)s rows can be paged through: narrow the list with a filter.",
                   rows=format_decimal(MAX_ROWS))


def refuse_depth() -> None:
    """Tell the user why the page asked for is not shown."""
    flash(depth_message(), "warning")


def cell_value(item: Any, get: Callable[[Any], Any]) -> Any:
    """What FAB shows of an attribute: a method called, an enum by its value, "" when a relation on the way
    is missing."""
    try:
        value = get(item)
    except AttributeError:
        return ""
    if callable(value):
        return value()
    return value.value if isinstance(value, Enum) else value


class ScaledInterface(UniqueAwareInterface):
    """FAB's data interface with a stable order, eager loads and a capped count."""

    def __init__(self, obj: type, session: Any = None, eager: Iterable[Any] = ()) -> None:
        super().__init__(obj, session)
        self.eager = tuple(eager)

    def apply_order_by(self, query: Any, order_column: str, order_direction: str, aliases_mapping: Any = None,
                       bypass_many_to_many: bool = False, add_pk: bool = False) -> Any:
        if not order_column:
            return query.order_by(desc(self.obj.id))
        if "." not in order_column and self.is_unique(order_column):
            add_pk = False  # already unique: the id after it would only defeat the column's index
        return super().apply_order_by(query, order_column, order_direction, aliases_mapping,
                                      bypass_many_to_many, add_pk)

    def get_values(self, lst: list, list_columns: list[str]) -> Iterator[dict]:
        """FAB's values of each row's columns — a method's result, an enum's value, "" through a missing relation —
        read with one getter per column (FAB tests and reads each cell's attribute three times)."""
        getters = [(column, attrgetter(column)) for column in list_columns]
        for item in lst:
            yield {column: cell_value(item, get) for column, get in getters}

    def apply_all(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        query = super().apply_all(query, *args, **kwargs)
        return query.options(*self.eager) if self.eager else query

    def query(self, filters: Any = None, order_column: str = "", order_direction: str = "", page: int | None = None,
              page_size: int | None = None, select_columns: Any = None, outer_default_load: bool = False
              ) -> tuple[int, list]:
        """FAB's list query, its capped count read by the page's own statement (a scalar subquery): one round
        trip and one statement fewer per list. A page past the last row has no row to carry the count: it is
        then counted alone. The filters are applied once, for the count and the page (FAB applies them for
        each); an API's chosen columns still go through FAB's outer query."""
        query = self.session.query(self.obj)
        filtered = self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})
        if select_columns:
            page_query = self.apply_all(query, filters, order_column, order_direction, page, page_size,
                                        select_columns, outer_default_load)
        else:
            # FAB's inner query carries the default order (by id): the page's order replaces it.
            ordered = self.apply_order_by(filtered.order_by(None), order_column, order_direction,
                                          aliases_mapping={}, bypass_many_to_many=True, add_pk=True)
            page_query = self.apply_pagination(ordered, page, page_size).options(*self.eager)
        found = page_query.add_columns(capped_total(filtered.statement).scalar_subquery()).all()
        if not found:
            return capped_count(self.session, filtered.statement), []
        return capped(found[0][-1]), [row[0] for row in found]

    def query_count(self, query: Any, filters: Any = None, select_columns: Any = None) -> int:
        filtered = self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})
        return capped_count(self.session, filtered.statement)


class BoundedList:
    """ModelView mixin: the console's list table; a page beyond ``MAX_ROWS`` rows shows the deepest allowed page,
    and says why."""

    list_widget = ListTable

    def _list(self, **kwargs: Any) -> dict:
        """FAB's list logic, but a ``KeptSearchWidget`` gets the search form's class: a form kept whole is
        never built (``console.views.search_form``)."""
        if not issubclass(self.search_widget, KeptSearchWidget):
            return super()._list(**kwargs)
        name = type(self).__name__
        order_column, order_direction = get_order_args().get(name) or ("", "")
        get_filter_args(self._filters)
        widgets = self._get_list_widget(filters=self._filters, order_column=order_column,
                                        order_direction=order_direction, page=get_page_args().get(name),
                                        page_size=get_page_size_args().get(name), **kwargs)
        self.update_redirect()
        return self._get_search_widget(form=self.search_form, widgets=widgets)

    def update_redirect(self) -> None:
        """FAB's « back » history, written only when this address is not already its last entry: FAB's history
        keeps no address twice in a row, yet it rewrote the session (a new cookie) on every page and twice per
        list; reloading a list now sends no cookie."""
        history = session.get("page_history")
        if not history or history[-1] != request.url:
            super().update_redirect()

    def _get_list_widget(self, filters: Any, actions: Any = None, order_column: str = "", order_direction: str = "",
                         page: int | None = None, page_size: int | None = None, widgets: Any = None,
                         **kwargs: Any) -> Any:
        size = page_size or self.page_size
        if page and too_deep(page * size):
            refuse_depth()
            page = deepest_page(size) - 1  # FAB counts pages from 0
        return super()._get_list_widget(filters, actions, order_column, order_direction, page, page_size,
                                         widgets, **kwargs)
