"""The lists' search forms keep the HTML of their plain fields per (list, column, language)
(console/views/search_form.py): the form is Flask-AppBuilder's, field for field, and a relation's drop-down
or a search-as-you-type field is never kept."""
from __future__ import annotations

import re

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


def form_of(html: str) -> str:
    return html[html.index('<form id="filter_form"'):html.index("</script>", html.index('<form id="filter_form"'))]


def test_a_list_without_filters_keeps_its_whole_form_and_puts_each_requests_nonce_back(app, client, world):
    from tests.conftest import login

    app.extensions.pop(search_form.FORMS, None)
    login(client, world.a.users["correspondent"])
    addresses = ("/partnerview/list/", "/partnerview/list/", "/partnerview/list/?_flt_0_name=Caf")
    pages = [client.get(address) for address in addresses]
    forms = [form_of(page.get_data(as_text=True)) for page in pages]
    nonces = [re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1) for page in pages]

    assert list(app.extensions[search_form.FORMS]) == [("/partnerview", "fr", "")]  # the filtered form is not kept
    assert nonces[0] != nonces[1] and all(f'<script nonce="{n}">' in form for n, form in zip(nonces, forms))
    assert forms[0].replace(nonces[0], "N") == forms[1].replace(nonces[1], "N")
    assert '"Caf"' in forms[2] and '"Caf"' not in forms[0]  # the applied filter, shown on its own page only


def test_a_form_kept_whole_is_not_built_and_a_filtered_one_is(app, client, world, monkeypatch):
    from tests.conftest import login

    view = next(view for view in app.appbuilder.baseviews if type(view).__name__ == "PartnerView")
    built = []
    refresh = view.search_form.refresh
    monkeypatch.setattr(view.search_form, "refresh", lambda obj=None: built.append(1) or refresh(obj))
    login(client, world.a.users["correspondent"])
    client.get("/partnerview/list/")  # may build the form once, to keep it
    built.clear()
    client.get("/partnerview/list/")
    assert built == []
    client.get("/partnerview/list/?_flt_0_name=Caf")
    assert built == [1]
