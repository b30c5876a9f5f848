"""`console check` names every dangerous production setting and exits non-zero on any."""
from __future__ import annotations

import pytest

from console.checks import production_problems

SAFE = {
    "DEBUG": False, "SECRET_KEY": "k" * 64, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://console@db/console",
    "CONSOLE_SMTP_URL": "smtp://mail:587?starttls=1", "CONSOLE_HTTPS": True,
    "CONSOLE_BASE_URL": "https://console.passnumerique.fr", "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True,
    "SESSION_COOKIE_HTTPONLY": True, "CONSOLE_TOTP_ROLES": ["Opérateur", "Correspondant"],
}
ENVIRON = {"CONSOLE_SECRET_KEY": "k" * 64}


def test_a_production_configuration_has_no_problem():
    assert production_problems(SAFE, ENVIRON) == []


@pytest.mark.parametrize("change, environ, word", [
    ({"DEBUG": True}, ENVIRON, "DEBUG"),
    ({}, {**ENVIRON, "FLASK_DEBUG": "1"}, "DEBUG"),
    ({}, {}, "CONSOLE_SECRET_KEY"),
    ({"SECRET_KEY": "k" * 31}, ENVIRON, "shorter than 32"),
    ({"SECRET_KEY": "changeme"}, ENVIRON, "default"),
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/console.db"}, ENVIRON, "SQLite"),
    ({"CONSOLE_SMTP_URL": None}, ENVIRON, "CONSOLE_SMTP_URL"),
    ({"CONSOLE_HTTPS": False}, ENVIRON, "CONSOLE_HTTPS"),
    ({"CONSOLE_BASE_URL": "http://console.passnumerique.fr"}, ENVIRON, "CONSOLE_BASE_URL"),
    ({"CONSOLE_BASE_URL": None}, ENVIRON, "CONSOLE_BASE_URL"),
    ({"WTF_CSRF_ENABLED": False}, ENVIRON, "CSRF"),
    ({"RATELIMIT_ENABLED": False}, ENVIRON, "RATELIMIT_ENABLED"),
    ({"CONSOLE_TOTP_ROLES": ["Opérateur"]}, ENVIRON, "Correspondant"),
])
def test_each_dangerous_setting_is_reported(change, environ, word):
    problems = production_problems({**SAFE, **change}, environ)
    assert len(problems) == 1 and word in problems[0], problems


def test_the_command_exits_non_zero_on_any_problem(session_app, monkeypatch):
    runner = session_app.test_cli_runner()
    monkeypatch.setenv("CONSOLE_SECRET_KEY", "k" * 64)
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1 and "CONSOLE_SMTP_URL" in result.output
    for key, value in SAFE.items():
        monkeypatch.setitem(session_app.config, key, value)
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "No dangerous setting" in result.output
