"""Security headers and cookies of every response (flask-talisman), and the reverse proxy in front.

The policy allows no inline script: Flask-AppBuilder's templates and the
console's carry Talisman's per-response nonce. Styles stay allowed inline
(Flask-AppBuilder's templates use style attributes); no page may be framed.
"""
from __future__ import annotations

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
#: Downloads (PDF, Excel, CSV) are documents of unknown content: nothing in them may run or be framed.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are ``Secure`` whenever the request came over HTTPS (directly or via the proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))


def sandbox_downloads(response):
    """Every download of the console is an attachment (send_file(as_attachment=True)); should a browser
    render one anyway, nothing in it may run, load or be framed."""
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def install(app: Flask) -> None:
    """Headers, cookies and the proxy, from CONSOLE_HTTPS and CONSOLE_PROXY_HOPS."""
    from flask_talisman import Talisman

    hops = int(app.config.get("CONSOLE_PROXY_HOPS") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Trust X-Forwarded-For/-Proto of exactly that many proxies: the scheme becomes https behind them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    https = bool(app.config.get("CONSOLE_HTTPS"))
    if https:
        app.config["PREFERRED_URL_SCHEME"] = "https"
    app.session_interface = SessionInterface()
    # Registered before Talisman, so it runs after Talisman's own after_request (Flask runs them in reverse).
    app.after_request(sandbox_downloads)
    Talisman(
        app,
        force_https=https,
        strict_transport_security=True,  # sent on HTTPS responses only
        strict_transport_security_max_age=31536000,
        session_cookie_secure=https,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="same-origin",
        x_content_type_options=True,
    )
