"""Flask-AppBuilder's search form, with the HTML of its plain fields kept per (list, column, language).

FAB renders every search field of a list on each view of the list (the form sits folded under
« Rechercher »): a quarter of a list page's time. A text, number, date, yes/no or enum field renders the
same HTML for every user of a language, so it is kept. A relation's drop-down (its choices are rows of the
user's collectivité) and a search-as-you-type field (it shows the row a filter names) are rendered at each
request, as are the active filters and the script's nonce (the template's).

A list's whole form is the same for every user of a language while no filter is applied and every field is
kept or searches as the user types (with no row chosen, it names none): it is then kept whole, its script's
nonce put back at each request. Such a form is not even built: ``BoundedList._list`` hands the widget the
form's class, and its fields are read from the class (building a list's search fields was a twentieth of the
page's cost).
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.widgets import RenderTemplateWidget, SearchWidget
from flask_babel import get_locale
from markupsafe import Markup
from wtforms import BooleanField, DateField, DateTimeField, DecimalField, FloatField, IntegerField, StringField
from wtforms.fields.core import UnboundField

from console.display import LabelledEnumField
from console.views.choices import RemoteSelectWidget
from console.views.kept import kept

#: The fields whose HTML depends on the language only (never a relation's choices nor a chosen row).
KEPT_FIELDS = (StringField, IntegerField, DecimalField, FloatField, BooleanField, DateField, DateTimeField,
               LabelledEnumField)
TABLE = "console_search_fields"
MAX_ENTRIES = 2_000  # lists × columns × languages: a few hundred; the cap only bounds a misuse
FORMS = "console_search_forms"
MAX_FORMS = 500  # lists × languages × roots: a few dozen
NONCE = "\x00nonce\x00"  # stands for the request's nonce in a kept form


class KeptSearchWidget(SearchWidget):
    """FAB's ``SearchWidget``: the same label, field HTML and filter names per column, kept when ``kept``.
    Its ``form`` is a form, or a form's class, then built only if the form is rendered."""

    def __call__(self, **kwargs: Any) -> Any:
        form, route_base = self.template_args["form"], self.template_args["route_base"]
        language = str(get_locale() or "")
        active = self.filters.get_filters_values_tojson()
        nonce = getattr(request, "csp_nonce", "")
        if active or not nonce or not all(same_for_all(field_of(form, column))
                                           for column in self.template_args["include_cols"]):
            return self._render(built(form), route_base, language, active, **kwargs)
        whole = kept(FORMS, (route_base, language, request.script_root),
                     lambda: self._render(built(form), route_base, language, active, **kwargs).replace(nonce, NONCE),
                     MAX_FORMS)
        return Markup(whole.replace(NONCE, nonce))

    def _render(self, form: Any, route_base: str, language: str, active: list, **kwargs: Any) -> Any:
        search_filters = self.filters.get_search_filters()
        labels, fields, names = {}, {}, {}
        for column in self.template_args["include_cols"]:
            field = form[column]
            key = (route_base, column, language) if isinstance(field, KEPT_FIELDS) else None
            labels[column], fields[column], names[column] = kept(TABLE, key, lambda: (
                as_unicode(field.label.text), field(), [as_unicode(flt.name) for flt in search_filters[column]]),
                MAX_ENTRIES)
        kwargs.update(label_columns=labels, form_fields=fields, search_filters=names, active_filters=active)
        return RenderTemplateWidget.__call__(self, **kwargs)


def field_of(form: Any, column: str) -> Any:
    """A column's field: the bound one of a form, the unbound one of a form's class."""
    return getattr(form, column) if isinstance(form, type) else form[column]


def built(form: Any) -> Any:
    """The form itself, built from its class if need be (FAB's ``refresh``)."""
    return form.refresh() if isinstance(form, type) else form


def same_for_all(field: Any) -> bool:
    """Whether a field renders the same for every user of a language while no filter is applied: a plain field,
    or one that searches as the user types (with no filter, it names no row)."""
    if isinstance(field, UnboundField):
        kind, widget = field.field_class, field.kwargs.get("widget")
    else:
        kind, widget = type(field), field.widget
    return issubclass(kind, KEPT_FIELDS) or isinstance(widget, RemoteSelectWidget)
