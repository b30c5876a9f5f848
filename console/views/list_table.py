"""The console's list table: what Flask-AppBuilder's list widget shows, prepared in Python.

FAB's list template builds every link with a ``url_for`` of its own, walks every registered view for each
permission it asks, and calls each cell's formatter through Jinja's checked calls; on the partner list that
cost more than the page's query. Here a page is prepared once — the list's address built once and each
link derived from it, each permission asked once — and the template (``console/list_table.html``) only
writes it out. The HTML is FAB's, so its scripts (filters, bulk actions) work on it unchanged.

Links keep every argument of the list's address, repeated ones included (FAB's kept one value per name,
dropping all but one of two filters on the same column).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from math import ceil
from typing import Any, Iterable, Iterator
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask_appbuilder.const import PERMISSION_PREFIX
from flask_appbuilder.widgets import ListWidget
from flask_babel import gettext
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

#: Pages linked on each side of the current one, and the sizes a list offers (FAB's).
NEIGHBOURS = 3
PAGE_SIZES = (25, 50, 75, 100)
#: Stands for a row's key in the row buttons' addresses, built once per page (``ListTable.rows``).
ROW_KEY = "__row_key__"


@dataclass(frozen=True)
class Link:
    """A pagination or page-size entry: no ``href`` when it leads nowhere (greyed out)."""

    label: str
    href: str | None
    active: bool = False


@dataclass(frozen=True)
class Heading:
    """A column's heading; ``order`` is "ascending", "descending" or "" and ``href`` sorts by it, if it can."""

    label: str
    href: str | None = None
    order: str = ""


@dataclass(frozen=True)
class Row:
    pk: Any
    cells: list[Any]
    show: str | None = None
    edit: str | None = None
    delete: str | None = None
    tick: bool = True


class Address:
    """The list's address; ``with_args`` gives it with some arguments replaced and every other one kept."""

    def __init__(self) -> None:
        self.base = url_for(request.endpoint, **(request.view_args or {}))
        self.args = request.args

    def with_args(self, **changes: Any) -> str:
        args = self.args.copy()
        for name, value in changes.items():
            args[name] = str(value)
        return f"{self.base}?{urlencode(list(args.items(multi=True)))}"


def pagination(page: int, page_size: int, count: int, link: Any) -> list[Link]:
    """FAB's pagination: first, previous, up to seven pages around this one, next and last (0-based pages)."""
    pages = ceil(count / page_size)
    if pages <= 1:
        return []
    low, high = page - NEIGHBOURS, page + NEIGHBOURS + 1
    if low < 0:
        high -= low
    if high >= pages:
        low -= high - pages
    low, high = max(low, 0), min(high, pages)
    numbered = [Link(str(each + 1), None if each == page else link(each), each == page) for each in range(low, high)]
    return [Link("«", link(0) if low > 0 else None), Link("<", link(page - 1) if page > 0 else None), *numbered,
            Link(">", link(page + 1) if page + 1 < pages else None),
            Link("»", link(pages - 1) if high < pages else None)]


def page_sizes(page: int, page_size: int, count: int, link: Any) -> list[Link]:
    """The page sizes offered when there is more than one page (those whose page ``page`` still has rows)."""
    if ceil(count / page_size) <= 1:
        return []
    return [Link(str(size), link(size), size == page_size) for size in PAGE_SIZES if page * size <= count]


def headings(columns: list[str], labels: dict, sortable: Iterable[str], view_name: str, address: Address,
             default_order: tuple[str, str] | None = None) -> list[Heading]:
    """Each column's heading; a sortable one links to the list sorted by it: ascending first, then the other
    way round when it is already the sort (the view's ``base_order`` when the address names none)."""
    sorted_by, direction = address.args.get(f"_oc_{view_name}"), address.args.get(f"_od_{view_name}")
    if sorted_by is None and default_order:
        sorted_by, direction = default_order
    result = []
    for column in columns:
        if column not in sortable:
            result.append(Heading(labels.get(column, column)))
            continue
        current = column == sorted_by
        order = ("ascending" if direction == "asc" else "descending") if current else ""
        href = address.with_args(**{f"_oc_{view_name}": column,
                                    f"_od_{view_name}": "desc" if order == "ascending" else "asc"})
        result.append(Heading(labels.get(column, column), href, order))
    return result


def table_rows(values: Iterable[dict], pks: list, columns: list[str], formatters: dict[str, Any]
               ) -> Iterator[tuple[Any, list[Any]]]:
    """Each row of a list page as (primary key, cells), every cell passed through its column's formatter.

    Calling formatters cell by cell from a template costs ~15 µs a cell (Jinja's checked calls); here it is a
    plain loop. ``RowWriter`` escapes the cells (a formatter returning ``Markup`` keeps its HTML)."""
    formats = [formatters.get(column) for column in columns]
    for pk, row in zip(pks, values):
        yield pk, [format(row[column]) if format else row[column] for column, format in zip(columns, formats)]


def related_filters(filters: Any) -> str:
    """The filters a related view's list carries into its row links (FAB's ``set_link_filters``), encoded."""
    if filters is None:
        return ""
    kept = [(f"_flt_0_{flt.column_name}", str(value)) for flt, value in filters.get_filters_values()
            if flt.is_related_view]
    return f"?{urlencode(kept)}" if kept else ""


def view_link(endpoint: str, filters: Any, **values: Any) -> str | None:
    """The address of one of the view's pages, or None when the view has no such page."""
    try:
        return url_for(endpoint, **values) + related_filters(filters)
    except BuildError:
        return None


def row_link(endpoint: str, filters: Any) -> str | None:
    """A row button's address with ``ROW_KEY`` for the row's key (``view_link``)."""
    return view_link(endpoint, filters, pk=ROW_KEY)


BUTTON = ('<a href="{href}" class="btn btn-sm btn-default" data-toggle="tooltip" rel="tooltip" title="{title}">'
          '<span class="sr-only">{title}</span><i class="fa {icon}" aria-hidden="true"></i></a>')
DELETE = ('<a id="btn-delete-{href}" href="#" class="btn btn-sm btn-default confirm" rel="tooltip" title="{title}">'
          '<span class="sr-only">{label}</span><i class="fa fa-trash"></i></a><script nonce="{nonce}">'
          'document.getElementById("btn-delete-{href}").addEventListener("click", function () {{'
          "const adminAction = new AdminActions(); return adminAction.execute_single_delete('{href}','{question}');"
          "}})</script>")


class RowWriter:
    """Writes the rows of a page as HTML: the same markup as FAB's row loop, each value escaped.

    Written by Jinja, the rows were the largest part of a list page's cost (a few hundred escaped outputs and
    tests per page); here each row is one formatted string. The words and the CSP nonce are read once."""

    def __init__(self, ticks: bool, buttons: bool) -> None:
        self.ticks, self.buttons = ticks, buttons
        self.select = escape(gettext("Select"))
        self.show, self.edit = escape(gettext("Show record")), escape(gettext("Edit record"))
        self.delete = {"title": escape(gettext("Delete record")), "label": escape(gettext("Delete")),
                       "question": escape(gettext("Are you sure you want to delete this item?")),
                       "nonce": escape(getattr(request, "csp_nonce", ""))}

    def __call__(self, rows: Iterable[Row]) -> Markup:
        return Markup("".join(self.row(row) for row in rows))

    def row(self, row: Row) -> str:
        pk = escape(row.pk)
        html = ["<tr>"]
        if self.ticks:
            html.append(f'<td><input id="{pk}" class="action_check" name="rowid" value="{pk}" type="checkbox" '
                        f'aria-label="{self.select} {pk}"></td>' if row.tick else "<td></td>")
        if self.buttons:
            html.append('<td class="text-center"><div class="btn-group btn-group-xs btn-group-flex">')
            if row.show:
                html.append(BUTTON.format(href=escape(row.show), title=self.show, icon="fa-search"))
            if row.edit:
                html.append(BUTTON.format(href=escape(row.edit), title=self.edit, icon="fa-edit"))
            if row.delete:
                html.append(DELETE.format(href=escape(row.delete), **self.delete))
            html.append("</div></td>")
        html.extend(f"<td>{escape(cell)}</td>" for cell in row.cells)
        html.append("</tr>\n")
        return "".join(html)


class ListTable(ListWidget):
    """The list widget of every console list: FAB's arguments in, a prepared page out (module docstring)."""

    template = "console/list_table.html"

    def __call__(self, **kwargs: Any) -> str:
        args = {**self.template_args, **kwargs}
        view = views_by_name()[args["modelview_name"]]
        may = {method: allowed(view, method) for method in ("add", "show", "edit", "delete")}
        page, page_size, count = args.get("page") or 0, args["page_size"], args["count"]
        address = Address()
        name = args["modelview_name"]
        actions = {key: action for key, action in (args.get("actions") or {}).items()
                   if action.multiple and allowed_action(view, action.name)}
        table = {
            "pagination": pagination(page, page_size, count, lambda p: address.with_args(**{f"page_{name}": p})),
            "page_sizes": page_sizes(page, page_size, count, lambda s: address.with_args(**{f"psize_{name}": s})),
            "add": view_link(f"{name}.add", args["filters"]) if may["add"] else None,
            "back": url_for("UtilView.back"),
            "actions": actions,
            "action_url": url_for(f"{name}.action_post") if actions else None,
            "headings": headings(args["include_columns"], args["label_columns"], args["order_columns"], name,
                                 address, view.base_order) if count else [],
            "buttons": may["show"] or may["edit"] or may["delete"],
        }
        table["rows"] = RowWriter(bool(actions), table["buttons"])(self.rows(args, view, may)) if count else ""
        return current_app.jinja_env.get_template(self.template).render(table=table, count=count)

    def rows(self, args: dict, view: Any, may: dict[str, bool]) -> Iterator[Row]:
        """The page's rows; a key the view lists in ``locked`` gets no edit button."""
        name, filters = type(view).__name__, args["filters"]
        show = row_link(f"{name}.show", filters) if may["show"] else None
        edit = row_link(f"{name}.edit", filters) if may["edit"] else None
        delete = row_link(f"{name}.delete", None) if may["delete"] else None
        locked = args.get("locked") or ()
        for pk, cells in table_rows(args["value_columns"], args["pks"], args["include_columns"],
                                    args["formatters_columns"]):
            key = str(pk)
            yield Row(pk, cells, show and show.replace(ROW_KEY, key),
                      edit.replace(ROW_KEY, key) if edit and pk not in locked else None,
                      delete and delete.replace(ROW_KEY, key))


class BuiltinRolesTable(ListTable):
    """FAB's roles list: a built-in role (``FAB_ROLES``, fixed in code) is neither ticked, edited nor deleted;
    its permissions column shows the configured patterns, its other columns nothing."""

    def rows(self, args: dict, view: Any, may: dict[str, bool]) -> Iterator[Row]:
        builtin, columns = view.appbuilder.sm.builtin_roles, args["include_columns"]
        for row in super().rows(args, view, may):
            patterns = builtin.get(str(row.cells[columns.index("name")]))
            if patterns is None:
                yield row
                continue
            cells = [cell if column == "name" else patterns if column == "permissions" else ""
                     for column, cell in zip(columns, row.cells)]
            yield replace(row, cells=cells, edit=None, delete=None, tick=False)


def views_by_name() -> dict[str, Any]:
    """The application's views by class name (FAB's templates walk them all for every permission asked)."""
    appbuilder = current_app.appbuilder
    known = appbuilder.__dict__.get("_console_views_by_name")
    if known is None or len(known) != len(appbuilder.baseviews):
        known = appbuilder._console_views_by_name = {type(view).__name__: view for view in appbuilder.baseviews}
    return known


def allowed(view: Any, method: str) -> bool:
    """Whether the user may open the view's ``method`` page (FAB's ``is_item_visible`` for a route)."""
    permission = PERMISSION_PREFIX + view.get_method_permission(method)
    return permission in view.base_permissions and view.appbuilder.sm.has_access(permission,
                                                                                 view.class_permission_name)


def allowed_action(view: Any, name: str) -> bool:
    """Whether the user may run the view's bulk action ``name`` (FAB's ``is_item_visible`` for an action)."""
    permission = view.get_action_permission_name(name)
    return permission in view.base_permissions and view.appbuilder.sm.has_access(permission,
                                                                                 view.class_permission_name)
