"""/healthz and /readyz: JSON for a load balancer, no authentication, no secrets, 503 when not ready."""
from __future__ import annotations

from sqlalchemy import text

from console import jobs
from console.extensions import db
from tests.conftest import service_url

READY = {"status": "ready", "checks": {"database": "ok", "redis": "not configured", "exports": "ok"}}


def test_liveness_answers_without_authentication(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "alive"}
    assert "Set-Cookie" not in response.headers


def test_readiness_checks_the_database_its_migrations_and_the_export_folder(client, app):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json == READY
    body = response.get_data(as_text=True)
    assert app.config["SQLALCHEMY_DATABASE_URI"] not in body and app.config["CONSOLE_EXPORT_DIR"] not in body


def test_a_database_behind_the_code_is_not_ready(client, app):
    with db.engine.begin() as connection:
        head = connection.scalar(text("SELECT version_num FROM alembic_version"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json["status"] == "not ready" and response.json["checks"]["database"] == "not migrated"
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})


def test_an_unwritable_export_folder_is_not_ready(client, app, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setitem(app.config, "CONSOLE_EXPORT_DIR", str(blocker / "exports"))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["checks"]["exports"] == "not writable"
    assert str(blocker) not in response.get_data(as_text=True)


def test_redis_is_checked_when_configured(client, app, monkeypatch):
    monkeypatch.setitem(app.extensions, "console_jobs", jobs.RqRunner(service_url("CONSOLE_TEST_REDIS_URL")))
    assert client.get("/readyz").json["checks"]["redis"] == "ok"
    # Nothing listens on port 1: a Redis gone away makes the process unready (and says nothing of its URL).
    monkeypatch.setitem(app.extensions, "console_jobs", jobs.RqRunner("redis://:s3cret@127.0.0.1:1/0"))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["checks"]["redis"] == "unreachable"
    assert "s3cret" not in response.get_data(as_text=True)
