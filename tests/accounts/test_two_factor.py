"""Second factor: enrolment by QR code, codes in the web form and the API, single-use recovery codes.

The test configuration requires no second factor (tests/conftest.py); these tests require it of
operators and correspondents, as production does by default.
"""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from console.accounts import totp
from console.extensions import db
from console.tenants.models import ConsoleUser
from tests.conftest import PASSWORD, csrf_token, login

PAGE = "/partnerview/list/"


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "CONSOLE_TOTP_ROLES", ["Opérateur", "Correspondant"])


def api_login(client, username, code=None):
    body = {"username": username, "password": PASSWORD, "provider": "db"}
    if code is not None:
        body["totp"] = code
    return client.post("/api/v1/security/login", json=body).status_code


def enrolled(username: str) -> tuple[str, list[str]]:
    """Enrol ``username`` as the enrolment page does, with the code of the previous time step."""
    user = db.session.scalars(select(ConsoleUser).where(ConsoleUser.username == username)).one()
    secret, now = totp.new_secret(), time.time()
    codes = totp.enrol(db.session, user, secret, pyotp.TOTP(secret).at(now - 30), now=now)
    db.session.commit()
    return secret, codes


def test_a_correspondent_without_second_factor_is_sent_to_enrolment(client, alpha, required):
    login(client, "alpha-correspondent")
    response = client.get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].endswith("/two-factor/enrol")
    assert api_login(client, "alpha-correspondent") == 401
    page = client.get("/two-factor/enrol").get_data(as_text=True)
    assert "<svg" in page  # the QR code, inline
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page).group(1)
    wrong = client.post("/two-factor/enrol", data={"code": "000000",
                                                   "csrf_token": csrf_token(client, "/two-factor/enrol")})
    assert wrong.status_code == 200 and client.get(PAGE).status_code == 302
    done = client.post("/two-factor/enrol", data={"code": pyotp.TOTP(secret).now(),
                                                  "csrf_token": csrf_token(client, "/two-factor/enrol")})
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get(PAGE).status_code == 200
    # A support agent's role does not require it: the password alone still opens the console.
    assert api_login(client, "alpha-support") == 200


def test_the_web_form_asks_for_the_code_after_the_password(app, alpha, required):
    secret, _codes = enrolled("alpha-correspondent")
    now = time.time()
    client = login(app.test_client(), "alpha-correspondent")
    response = client.get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].endswith("/two-factor/verify")
    token = csrf_token(client, "/two-factor/verify")
    assert client.post("/two-factor/verify", data={"code": "123456", "csrf_token": token}).status_code == 200
    assert client.get(PAGE).status_code == 302
    code = pyotp.TOTP(secret).at(now)
    assert client.post("/two-factor/verify", data={"code": code, "csrf_token": token}).status_code == 302
    assert client.get(PAGE).status_code == 200
    # The same code cannot open a second session (no replay).
    other = login(app.test_client(), "alpha-correspondent")
    other.post("/two-factor/verify", data={"code": code, "csrf_token": csrf_token(other, "/two-factor/verify")})
    assert other.get(PAGE).status_code == 302
    # Five wrong codes end the half-open session.
    token = csrf_token(other, "/two-factor/verify")
    for _ in range(5):
        other.post("/two-factor/verify", data={"code": "000000", "csrf_token": token})
    assert "/login/" in other.get(PAGE).headers["Location"]


def test_the_api_login_requires_the_code_and_recovery_codes_work_once(client, alpha, required):
    secret, codes = enrolled("alpha-correspondent")
    assert api_login(client, "alpha-correspondent") == 401
    assert api_login(client, "alpha-correspondent", "000000") == 401
    assert api_login(client, "alpha-correspondent", pyotp.TOTP(secret).at(time.time() + 30)) == 200
    assert api_login(client, "alpha-correspondent", codes[0]) == 200
    assert api_login(client, "alpha-correspondent", codes[0]) == 401  # used up
    assert api_login(client, "alpha-correspondent", codes[1].upper()) == 200
