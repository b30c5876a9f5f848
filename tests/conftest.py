"""Fixtures: the console on a real SQLite file and a real PostgreSQL server, users of two collectivités.

Every test that uses ``app`` runs once per database. PostgreSQL and Redis come
from ``scripts/with-services`` (``make test``): a missing server fails the test
loudly, it is never skipped.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text

from console import create_app
from console.config import ROLE_CORRESPONDENT, ROLE_ELECTED, ROLE_OPERATOR, ROLE_SUPPORT
from console.extensions import db
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import Collectivite, CollectiviteKind

PASSWORD = "Mot-de-passe-1"
TEST_HASH_METHOD = "scrypt:1024:8:1"
KEPT_TABLES = {"ab_role", "ab_permission", "ab_view_menu", "ab_permission_view", "ab_permission_view_role",
               "alembic_version"}


def service_url(name: str) -> str:
    """The URL of a test server started by scripts/with-services; fail (never skip) without it."""
    url = os.environ.get(name)
    if not url:
        pytest.fail(f"{name} is not set: run the tests with `make test` (it starts PostgreSQL and Redis).")
    return url


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def _no_fsync(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous = OFF")


def _make_app(url: str, instance: str, **config) -> Flask:
    """The console for tests on ``url``, migrated; ``config`` overrides the tests' configuration."""
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
        "CONSOLE_EXPORT_DIR": os.path.join(instance, "exports"),
        "SERVER_NAME": "console.test",
        # The second factor is off for the tests of everything else (they sign in with a password only);
        # tests/accounts/test_two_factor.py turns it on for the roles it tests.
        "CONSOLE_TOTP_ROLES": [],
        # Still scrypt, at 1/32 of production's work factor: every test creates several users and signs in,
        # and production's cost (~0.1 s a hash here) would take minutes of the suite.
        # tests/accounts/test_password_hashing.py proves production's own method and cost.
        "FAB_PASSWORD_HASH_METHOD": TEST_HASH_METHOD,
        **config,
    })
    with app.app_context():
        from console.schema import init_database

        if db.engine.dialect.name == "sqlite":
            # A test database need not survive a power cut: no fsync at each commit (~20 ms each here).
            # Locking, and so what the concurrency tests prove, is unchanged.
            event.listen(db.engine, "connect", _no_fsync)
        init_database()
    # Every client of the test apps, not only the ``client`` fixture's: a test that makes its own client
    # must not depend on an earlier test having set it (run alone, the route walker's login got a 400).
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def session_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = str(tmp_path_factory.mktemp(request.param))
    if request.param == "sqlite":
        url = f"sqlite:///{instance}/console.db"
    else:
        url = service_url("CONSOLE_TEST_POSTGRES_URL")
        _reset_postgres(url)
    app = _make_app(url, instance)
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_tables(app: Flask) -> None:
    from flask_appbuilder import Model

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # The audit trail is append-only (a trigger); between tests the superuser skips triggers.
                connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(Model.metadata.sorted_tables):
                if table.name not in KEPT_TABLES:
                    connection.execute(table.delete())


@pytest.fixture
def app(session_app: Flask) -> Iterator[Flask]:
    """The console, with empty tables (roles and permissions kept)."""
    _empty_tables(session_app)
    with session_app.app_context():
        yield session_app
        db.session.remove()
        from console import jobs

        runner = jobs.runner()
        if isinstance(runner, jobs.InProcessRunner):
            runner.wait(timeout=60)


class FreshContextClient(FlaskClient):
    """Each request gets its own application context, hence its own ``g`` and database session,
    as in production (the test's own context would otherwise be shared with the request)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class Tenant:
    collectivite: Collectivite
    users: dict[str, str] = field(default_factory=dict)  # role key -> username

    @property
    def id(self) -> int:
        return self.collectivite.id


@dataclass
class World:
    a: Tenant
    b: Tenant
    operator: str = "operateur"


def make_collectivite(slug: str, code: str, siren: str, name: str) -> Collectivite:
    row = Collectivite(name=name, kind=CollectiviteKind.commune, siren=siren, slug=slug, code=code,
                       contact_email=f"contact@{slug}.example.fr")
    db.session.add(row)
    db.session.flush()
    return row


def make_user(username: str, role: str, collectivite: Collectivite | None):
    sm = db.get_app().appbuilder.sm if hasattr(db, "get_app") else None
    from flask import current_app

    sm = current_app.appbuilder.sm
    user = sm.add_user(username, username.split("-")[0].title(), "Test", f"{username}@test.example.fr",
                       sm.find_role(role), PASSWORD)
    assert user, f"could not create {username}"
    user.collectivite = collectivite
    db.session.commit()
    return user


@pytest.fixture
def world(app: Flask) -> World:
    """Two collectivités A and B, each with a correspondent, a support agent and an élu; one operator."""
    with scoped(EVERYTHING):
        a = make_collectivite("alpha", "ALP", "216901231", "Ville d'Alpha")
        b = make_collectivite("beta", "BET", "223300013", "Département de Bêta")
        db.session.commit()
        tenants = []
        for row in (a, b):
            tenant = Tenant(row)
            for key, role in (("correspondent", ROLE_CORRESPONDENT), ("support", ROLE_SUPPORT),
                              ("elected", ROLE_ELECTED)):
                username = f"{row.slug}-{key}"
                make_user(username, role, row)
                tenant.users[key] = username
            tenants.append(tenant)
        make_user("operateur", ROLE_OPERATOR, None)
    return World(*tenants)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str = "/login/") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token in {url}"
    return match.group(1)


RANDOM_TOKENS_RE = re.compile(r'(nonce|value|content)="[A-Za-z0-9_.\-]{24,}"')


def page_text(response) -> str:
    """A page's HTML without its random tokens (CSP nonces, CSRF tokens), so that a check
    that some short text is absent cannot be failed by a token that happens to contain it."""
    return RANDOM_TOKENS_RE.sub(r'\1=""', response.get_data(as_text=True))


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> FlaskClient:
    """Sign in through the real login form (CSRF token included)."""
    response = client.post("/login/", data={"username": username, "password": password,
                                            "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def logout(client: FlaskClient) -> FlaskClient:
    """Sign out as the user menu does: a POST with the CSRF token (a GET signs nobody out)."""
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, "no logout form: nobody is signed in"
    response = client.post("/logout/", data={"csrf_token": match.group(1)})
    assert response.status_code == 302, response.status_code
    return client


def api_token(client: FlaskClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization header of a JWT obtained at /api/v1/security/login."""
    response = client.post("/api/v1/security/login",
                           json={"username": username, "password": password, "provider": "db"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: a needed service was missing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") == "true" and skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


VALID_SIRETS = ["73282932000074", "35600000000048", "44306184100047", "55208131766522", "42385519600014"]


def make_partner(collectivite: Collectivite, name: str = "Médiathèque Émile Zola", number: int = 0, **fields):
    """A partner of ``collectivite``, created as an operator would."""
    from console.partners.models import Partner

    values = dict(name=name, siret=VALID_SIRETS[number % len(VALID_SIRETS)], email=f"contact{number}@structure.fr",
                  address="1 rue de la République", postcode="69001", city="Lyon")
    values.update(fields)
    with scoped(EVERYTHING):
        partner = Partner(collectivite=collectivite, **values)
        db.session.add(partner)
        db.session.commit()
        return partner.id
