"""`console check`: the settings that make a production console dangerous, each one named."""
from __future__ import annotations

import os
from typing import Any, Mapping

from console.config import ROLE_CORRESPONDENT, ROLE_OPERATOR

SECRET_KEY_MIN_LENGTH = 32
#: Roles that move money or bank details: never without a second factor.
REQUIRED_SECOND_FACTOR = (ROLE_OPERATOR, ROLE_CORRESPONDENT)
KNOWN_WEAK_KEYS = {"secret", "changeme", "change-me", "dev", "development", "test", "console", "password",
                   "thisismysecretkey", "\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h"}


def production_problems(config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> list[str]:
    """Every setting of ``config`` (and the environment) that must not reach production, as sentences."""
    environ = os.environ if environ is None else environ
    problems = []
    if config.get("DEBUG") or environ.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes"):
        problems.append("DEBUG is on: the debugger runs code sent by whoever triggers an error.")
    key = str(config.get("SECRET_KEY") or "")
    if not environ.get("CONSOLE_SECRET_KEY"):
        problems.append("CONSOLE_SECRET_KEY is not set: each machine would generate its own key.")
    if key.lower() in KNOWN_WEAK_KEYS or len(key) < SECRET_KEY_MIN_LENGTH:
        problems.append(f"The secret key is a default or shorter than {SECRET_KEY_MIN_LENGTH} characters: "
                        "sessions and tokens could be forged.")
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("The database is SQLite: set CONSOLE_DATABASE_URL to PostgreSQL.")
    if not config.get("CONSOLE_SMTP_URL"):
        problems.append("CONSOLE_SMTP_URL is not set: password links and notifications are never sent.")
    if not config.get("CONSOLE_HTTPS"):
        problems.append("CONSOLE_HTTPS is not set: cookies may travel in clear and no HSTS is sent.")
    if not str(config.get("CONSOLE_BASE_URL") or "").startswith("https://"):
        problems.append("CONSOLE_BASE_URL is not an https:// address: e-mailed links would follow the Host "
                        "header of whoever asks.")
    if not config.get("WTF_CSRF_ENABLED", True):
        problems.append("CSRF protection is off (WTF_CSRF_ENABLED).")
    if not config.get("RATELIMIT_ENABLED"):
        problems.append("Rate limiting is off (RATELIMIT_ENABLED): passwords could be guessed at will.")
    for role in REQUIRED_SECOND_FACTOR:
        if role not in (config.get("CONSOLE_TOTP_ROLES") or ()):
            problems.append(f"The role {role} may sign in without a second factor (CONSOLE_TOTP_ROLES).")
    if not config.get("SESSION_COOKIE_HTTPONLY", True):
        problems.append("Session cookies are readable by scripts (SESSION_COOKIE_HTTPONLY).")
    return problems
