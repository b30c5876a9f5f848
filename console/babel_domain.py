"""The translations domain of the console: Flask-Babel's, with the request's catalogue looked up once."""
from __future__ import annotations

from flask import Flask
from flask_babel import Domain, get_babel
from flask_babel import _get_current_context  # Flask-Babel 4's per-context namespace (g._flask_babel)


class RequestDomain(Domain):
    """Flask-Babel's default domain, remembering the request's catalogue.

    Flask-Babel keeps the compiled catalogues for the life of the process (``Domain.cache``) but finds
    the right one again for every string: three look-ups of its context through Flask's ``g`` proxy, the
    locale turned into text, a dictionary look-up — ~300 times for a list page (FAB's templates and lazy
    labels), about a tenth of the page's CPU. The catalogue is kept on that same context next to the
    locale it was found for: ``force_locale`` (e-mails and exports in the reader's language) and
    ``refresh()`` replace or clear ``babel_locale``, and a different locale object means a new look-up.
    """

    def get_translations(self):
        ctx = _get_current_context()
        if ctx is None:
            return super().get_translations()
        remembered = getattr(ctx, "console_translations", None)
        locale = getattr(ctx, "babel_locale", None)
        if remembered is not None and locale is not None and remembered[0] is locale:
            return remembered[1]
        translations = super().get_translations()  # selects the locale first when none is yet
        ctx.console_translations = (ctx.babel_locale, translations)
        return translations


def install(app: Flask) -> None:
    """Make the application's default domain a RequestDomain (after Flask-AppBuilder created Babel)."""
    with app.app_context():
        babel = get_babel(app).instance
        babel.domain_instance = RequestDomain(domain=babel.domain)
