"""The request's catalogue is remembered (console.babel_domain) without freezing the language."""
from __future__ import annotations

from flask_babel import force_locale, gettext, refresh

from console.babel_domain import RequestDomain


def test_the_remembered_catalogue_follows_force_locale_and_each_request(app):
    assert isinstance(app.extensions["babel"].instance.domain_instance, RequestDomain)
    with app.test_request_context("/"):
        assert gettext("Search") == "Rechercher"
        with force_locale("en"):  # an e-mail in the reader's language, in the middle of a French page
            assert gettext("Search") == "Search"
        assert gettext("Search") == "Rechercher"
        with force_locale("en"):
            refresh()  # Flask-Babel keeps a forced locale through a refresh
            assert gettext("Search") == "Search"
        refresh()  # the locale chosen again: the request's, not the one last forced
        assert gettext("Search") == "Rechercher"
    # Each request has its own application context (its own ``g``), as in production.
    with app.app_context(), app.test_request_context("/?_l_=en"):  # the next request chooses its language
        assert gettext("Search") == "Search"
    with app.app_context(), app.test_request_context("/"):
        assert gettext("Search") == "Rechercher"
