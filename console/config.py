"""Configuration: embedded defaults, overridden by CONSOLE_* environment variables."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

# Compiled into the package by `make translations` or by the package build (setup.py).
TRANSLATIONS = str(Path(__file__).resolve().parent / "catalogues")

ROLE_OPERATOR = "Opérateur"
ROLE_CORRESPONDENT = "Correspondant"
ROLE_SUPPORT = "Agent support"
ROLE_ELECTED = "Élu"
#: The partner extranet's API clients (accounts.service_accounts): their scopes narrow it further.
ROLE_SERVICE = "Compte de service"


def secret_key(instance_path: str) -> str:
    """CONSOLE_SECRET_KEY, else a random key generated once and kept in the instance folder."""
    key = os.environ.get("CONSOLE_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written with 0600 so that only the console's own user can read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def defaults(instance_path: str) -> dict:
    """The configuration of a console started with no environment at all."""
    from console.tenants.roles import ROLES
    from console.tenants.security import password_complexity

    database = os.environ.get("CONSOLE_DATABASE_URL") or (
        "sqlite:///" + os.path.join(instance_path, "console.db")
    )
    return {
        "APP_NAME": "Console Pass Numérique",
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "CONSOLE_REDIS_URL": os.environ.get("CONSOLE_REDIS_URL") or None,
        "CONSOLE_SMTP_URL": os.environ.get("CONSOLE_SMTP_URL") or None,
        "CONSOLE_MAIL_SENDER": os.environ.get(
            "CONSOLE_MAIL_SENDER", "Pass Numérique <ne-pas-repondre@passnumerique.fr>"
        ),
        # The address users reach the console at (https://…): e-mailed links are built on it, never on
        # the Host header of the request that asked for them.
        "CONSOLE_BASE_URL": os.environ.get("CONSOLE_BASE_URL") or None,
        # Every « Mot de passe oublié ? » answer takes at least this long, whatever the login.
        "CONSOLE_RESET_ANSWER_SECONDS": 0.2,
        # Roles whose users must sign in with a second factor (TOTP); others may choose to. Comma-separated
        # role names in CONSOLE_TOTP_ROLES; never empty in production (`console check`).
        "CONSOLE_TOTP_ROLES": [name.strip() for name in os.environ.get(
            "CONSOLE_TOTP_ROLES", f"{ROLE_OPERATOR},{ROLE_CORRESPONDENT}").split(",") if name.strip()],
        "CONSOLE_EXPORT_DIR": os.environ.get("CONSOLE_EXPORT_DIR")
        or os.path.join(instance_path, "exports"),
        # Flask-AppBuilder
        "AUTH_TYPE": 1,  # AUTH_DB
        "AUTH_ROLE_ADMIN": ROLE_OPERATOR,
        "AUTH_ROLE_PUBLIC": "Public",
        "AUTH_USER_REGISTRATION": False,
        "FAB_ROLES": ROLES,
        "FAB_UPDATE_PERMS": True,
        # The schema comes from the Alembic migrations only (`console init`).
        "FAB_CREATE_DB": False,
        "FAB_ADD_SECURITY_VIEWS": True,
        "FAB_API_SWAGGER_UI": True,
        "FAB_API_MAX_PAGE_SIZE": 100,  # the same cap as the web lists (console.inputs.MAX_PAGE_SIZE)
        "FAB_PASSWORD_HASH_METHOD": "scrypt",
        "FAB_PASSWORD_COMPLEXITY_ENABLED": True,
        "FAB_PASSWORD_COMPLEXITY_VALIDATOR": password_complexity,
        "FAB_SECURITY_MANAGER_CLASS": "console.tenants.security.ConsoleSecurityManager",
        "FAB_INDEX_VIEW": "console.views.home.HomeView",
        "FAB_BASE_TEMPLATE": "console/base.html",
        "RATELIMIT_ENABLED": True,
        "AUTH_RATE_LIMITED": True,
        "AUTH_RATE_LIMIT": "10 per minute",
        "RATELIMIT_STORAGE_URI": os.environ.get("CONSOLE_REDIS_URL") or "memory://",
        "JWT_ACCESS_TOKEN_EXPIRES": 3600,
        # Sessions: the console handles public money.
        "SESSION_COOKIE_HTTPONLY": True,
        # Behind N reverse proxies (HTTPS ends there): trust their X-Forwarded-For/-Proto (console.headers).
        "CONSOLE_PROXY_HOPS": int(os.environ.get("CONSOLE_PROXY_HOPS", "0")),
        # Served over HTTPS only: redirect http to https, cookies always Secure, HSTS.
        "CONSOLE_HTTPS": os.environ.get("CONSOLE_HTTPS", "").lower() in ("1", "true", "yes"),
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A session ends after 30 minutes without a request, and 12 hours after sign-in in any case.
        "CONSOLE_SESSION_IDLE_MINUTES": int(os.environ.get("CONSOLE_SESSION_IDLE_MINUTES", "30")),
        "CONSOLE_SESSION_LIFETIME_HOURS": int(os.environ.get("CONSOLE_SESSION_LIFETIME_HOURS", "12")),
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("CONSOLE_SESSION_LIFETIME_HOURS", "12")) * 3600,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        # Languages
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "BABEL_TRANSLATION_DIRECTORIES": TRANSLATIONS,
        "LANGUAGES": {
            "fr": {"flag": "fr", "name": "Français"},
            "en": {"flag": "gb", "name": "English"},
        },
    }
