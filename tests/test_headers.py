"""Security headers on pages, APIs and downloads; Secure cookies over HTTPS and behind the proxy."""
from __future__ import annotations

import re

from flask import Flask, session

from console import headers
from tests.accounts.conftest import alpha  # noqa: F401  (fixture)
from tests.conftest import api_token, login

SCRIPT_RE = re.compile(r"<script\b([^>]*)>", re.I)


def assert_protected(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def assert_scripts_carry_the_nonce(response) -> None:
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = SCRIPT_RE.findall(response.get_data(as_text=True))
    assert scripts, "the page has scripts"
    assert all(f'nonce="{nonce}"' in attributes for attributes in scripts), scripts


def test_pages_and_apis_send_the_security_headers(client, alpha):  # noqa: F811
    page = client.get("/login/")
    assert_protected(page)
    assert_scripts_carry_the_nonce(page)
    assert "Strict-Transport-Security" not in page.headers  # plain HTTP: no HSTS
    login(client, "alpha-correspondent")
    for url in ("/exports/", "/partnerview/list/", "/tenantuserview/add"):  # an inline script, a list, a form
        response = client.get(url)
        assert response.status_code == 200
        assert_protected(response)
        assert_scripts_carry_the_nonce(response)
    api = client.get("/api/v1/collectivite/", headers=api_token(client, "alpha-support"))
    assert api.status_code == 200
    assert_protected(api)


def test_over_https_cookies_are_secure_and_hsts_is_sent(client, alpha):  # noqa: F811
    response = client.get("/login/", base_url="https://console.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert "Secure" not in client.get("/login/").headers["Set-Cookie"]


def proxied_app(hops: int) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", CONSOLE_PROXY_HOPS=hops, SESSION_COOKIE_SAMESITE="Lax")
    headers.install(app)

    @app.route("/")
    def index():
        session["seen"] = True
        return "ok"

    return app


def test_behind_the_configured_proxy_the_scheme_is_https():
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    behind = proxied_app(1).test_client().get("/", headers=forwarded)
    assert "Secure" in behind.headers["Set-Cookie"]
    # Without CONSOLE_PROXY_HOPS a client's own X-Forwarded-Proto changes nothing of the cookie.
    direct = proxied_app(0).test_client().get("/", headers=forwarded)
    assert "Secure" not in direct.headers["Set-Cookie"]


def test_the_console_templates_and_widgets_carry_no_style_attribute(app):
    """Style rules live in static/console.css, so that the policy can stop allowing inline styles."""
    from pathlib import Path

    import console
    from console.views.choices import remote_select

    root = Path(console.__file__).parent
    found = [f"{path.relative_to(root)}:{number}"
             for path in sorted((root / "templates").rglob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\sstyle\s*=", line)]
    assert not found, found
    with app.test_request_context("/"):
        field = str(remote_select("partner", "PartnerChoicesView.search"))
    assert "choices-select" in field and "style=" not in field
