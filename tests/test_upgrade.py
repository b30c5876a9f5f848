"""Upgrades are safe: a database of the previous release, holding its demo data, upgrades to the latest revision.

The previous release is taken from git as it was (its code and its migrations,
head 0006), run for real to create its schema and load its demo data; then
this code's `console init` upgrades the database, which must keep every row
and end with exactly the models' schema.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, inspect, select, text

from console import create_app
from console.extensions import db
from console.health import latest_revisions
from console.partners.models import Partner
from console.schema import init_database
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import service_url
from tests.schema_compare import differences, models_schema, scratch_database, snapshot
from tests.serving.processes import clean_env

PROJECT = Path(__file__).resolve().parent.parent
PREVIOUS_RELEASE = "934b125b3e0971cfc24eee15699ea613bcbaeca1"
PREVIOUS_HEAD = "0006"
PERMISSION_TABLES = {"ab_permission", "ab_view_menu", "ab_permission_view", "ab_role", "ab_permission_view_role"}
# Runs the previous release's own `console` command from its source tree, never this one's. Its demo holds
# the first two collectivités only: rows of every kind and state, of two collectivités, in half the time
# (what is checked is that every row is kept, whatever their number).
RUN_PREVIOUS = ("import sys, console; tree = sys.argv.pop(1); assert console.__file__.startswith(tree), "
                "console.__file__; import console.demo as demo; demo.COLLECTIVITES = demo.COLLECTIVITES[:2]; "
                "from console.cli import main; main()")


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.scalar(text(f'SELECT count(*) FROM "{table}"'))
                for table in inspect(engine).get_table_names()}


def test_the_previous_release_with_its_demo_data_upgrades_to_the_latest_revision(tmp_path):
    previous = tmp_path / "previous"
    previous.mkdir()
    archive = subprocess.run(["git", "-C", str(PROJECT), "archive", "--format=tar", PREVIOUS_RELEASE, "console"],
                             check=True, capture_output=True, timeout=60).stdout
    subprocess.run(["tar", "-x", "-C", str(previous)], input=archive, check=True, timeout=60)
    url = service_url("CONSOLE_TEST_POSTGRES_URL")
    for engine in scratch_database(url, "console_test_upgrade"):
        database = engine.url.render_as_string(hide_password=False)
        env = clean_env(CONSOLE_DATABASE_URL=database, CONSOLE_SECRET_KEY="upgrade-test", PYTHONPATH=str(previous),
                        CONSOLE_EXPORT_DIR=str(tmp_path / "exports"))
        for command in (["init"], ["demo", "--password", "demo-pass-numerique-1"]):
            subprocess.run([sys.executable, "-c", RUN_PREVIOUS, str(previous), *command], env=env, cwd=previous,
                           check=True, capture_output=True, timeout=300)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == PREVIOUS_HEAD
        before = row_counts(engine)
        assert before["collectivite"] == 2 and before["partner"] > 0 and before["cheque"] > 0
        assert before["reimbursement_request"] > 0
        engine.dispose()

        app = create_app({"SQLALCHEMY_DATABASE_URI": database, "TESTING": True,
                          "CONSOLE_EXPORT_DIR": str(tmp_path / "exports")})
        with app.app_context():
            init_database()  # what `console init` does
            with db.engine.connect() as connection:
                assert {connection.scalar(text("SELECT version_num FROM alembic_version"))} == latest_revisions()
            after = row_counts(db.engine)
            # The scheme's rows are kept as they were; Flask-AppBuilder's roles and permissions are the
            # release's own, written by `console init` (new roles and views add rows there).
            # The former look-up log is moved into the audit trail (migration 0016), one event per row.
            kept = {table for table in before if table not in PERMISSION_TABLES | {"lookup_audit"}}
            assert {table: after[table] for table in kept} == {table: before[table] for table in kept}, \
                "the upgrade lost or added rows"
            assert "lookup_audit" not in after and before["lookup_audit"] > 0
            with db.engine.connect() as connection:
                assert connection.scalar(text("SELECT count(*) FROM audit_event WHERE action = 'lookup.imported'")) \
                    == before["lookup_audit"]
            assert all(after[table] >= before[table] for table in PERMISSION_TABLES & set(before))
            migrated = snapshot(db.engine)
            with scoped(EVERYTHING):
                assert db.session.scalar(select(func.count(Partner.id))) == before["partner"]
            assert app.test_client().get("/readyz").status_code == 200
            db.session.remove()
            db.engine.dispose()
        for models_engine in scratch_database(url, "console_test_upgrade_models"):
            assert differences(migrated, models_schema(models_engine)) == []
