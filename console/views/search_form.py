"""Flask-AppBuilder's search form, with the HTML of its plain fields kept per (list, column, language).

FAB renders every search field of a list on each view of the list (the form sits folded under
« Rechercher »): a quarter of a list page's time. A text, number, date, yes/no or enum field renders the
same HTML for every user of a language, so it is kept. A relation's drop-down (its choices are rows of the
user's collectivité) and a search-as-you-type field (it shows the row a filter names) are rendered at each
request, as are the active filters and the script's nonce (the template's).
"""
from __future__ import annotations

import threading
from typing import Any

from flask_appbuilder._compat import as_unicode
from flask_appbuilder.widgets import RenderTemplateWidget, SearchWidget
from flask_babel import get_locale
from wtforms import BooleanField, DateField, DateTimeField, DecimalField, FloatField, IntegerField, StringField

from console.display import LabelledEnumField

#: The fields whose HTML depends on the language only (never a relation's choices nor a chosen row).
KEPT_FIELDS = (StringField, IntegerField, DecimalField, FloatField, BooleanField, DateField, DateTimeField,
               LabelledEnumField)
MAX_ENTRIES = 2_000  # lists × columns × languages: a few hundred; the cap only bounds a misuse

_kept: dict[tuple[str, str, str], tuple[str, str, list[str]]] = {}
_lock = threading.Lock()


def kept(field: Any) -> bool:
    return isinstance(field, KEPT_FIELDS)


class KeptSearchWidget(SearchWidget):
    """FAB's ``SearchWidget``: the same label, field HTML and filter names per column, kept when ``kept``."""

    def __call__(self, **kwargs: Any) -> Any:
        form, route_base = self.template_args["form"], self.template_args["route_base"]
        language = str(get_locale() or "")
        search_filters = self.filters.get_search_filters()
        labels, fields, names = {}, {}, {}
        for column in self.template_args["include_cols"]:
            field = form[column]
            key = (route_base, column, language)
            entry = _kept.get(key) if kept(field) else None
            if entry is None:
                entry = (as_unicode(field.label.text), field(),
                         [as_unicode(flt.name) for flt in search_filters[column]])
                if kept(field):
                    with _lock:
                        if len(_kept) >= MAX_ENTRIES:
                            _kept.clear()
                        _kept[key] = entry
            labels[column], fields[column], names[column] = entry
        kwargs.update(label_columns=labels, form_fields=fields, search_filters=names,
                      active_filters=self.filters.get_filters_values_tojson())
        return RenderTemplateWidget.__call__(self, **kwargs)
