"""The lists' search forms keep the HTML of their plain fields per (list, column, language)
(console/views/search_form.py): the form is Flask-AppBuilder's, field for field, and a relation's drop-down
or a search-as-you-type field is never kept."""
from __future__ import annotations

from flask import g
from flask_appbuilder.widgets import SearchWidget
from flask_login import login_user
from sqlalchemy import select

from console.extensions import db
from console.tenants.models import ConsoleUser
from console.views import search_form
from console.views.search_form import KeptSearchWidget


def lists_with_kept_forms(app) -> list:
    return [view for view in app.appbuilder.baseviews
            if getattr(view, "search_form", None) is not None and view.search_widget is KeptSearchWidget]


def render(widget_class, view) -> str:
    form = view.search_form.refresh()
    return widget_class(route_base=view.route_base, form=form, include_cols=view.search_columns,
                        exclude_cols=[], filters=view._filters)()


def test_kept_search_forms_are_fabs_for_every_list_user_and_language(app, world):
    views = lists_with_kept_forms(app)
    assert {"PartnerView", "ChequeView", "ConsoleUserDBModelView"} <= {type(view).__name__ for view in views}
    kept_fields = app.extensions.setdefault(search_form.TABLE, {})
    kept_fields.clear()
    for username in (world.a.users["correspondent"], world.operator):
        for language in ("fr", "en"):
            # A fresh application context: Flask-Babel keeps the locale it found on it.
            with app.app_context(), app.test_request_context("/", query_string={"_l_": language}):
                g.user = db.session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))
                login_user(g.user)
                for view in views:
                    expected = render(SearchWidget, view)
                    assert render(KeptSearchWidget, view) == expected, (type(view).__name__, language)
                    assert render(KeptSearchWidget, view) == expected  # read back from what was kept
    columns = {(route, column) for route, column, _ in kept_fields}
    assert ("/partnerview", "name") in columns and ("/partnerview", "status") in columns
    # Never kept: the collectivité and partner search-as-you-type fields, the roles' drop-down.
    assert not {("/partnerview", "collectivite"), ("/chequeview", "partner"), ("/users", "roles"),
                ("/users", "collectivite")} & columns
    assert {language for _, _, language in kept_fields} == {"fr", "en"}
