"""The production topology, for real: PostgreSQL and Redis, `console serve` with 2 workers, 2 `console worker`
processes and one `console scheduler`, driven over HTTP; then a worker killed in the middle of an export.

The export whose worker was killed is never left « running » and never leaves a partial file: the scheduler's
sweep notices its silent heartbeat, removes what was written, and queues it again; the surviving worker builds
it completely.
"""
from __future__ import annotations

from http.cookiejar import CookieJar
import io
import json
import os
import re
import signal
import sys
import urllib.parse
import urllib.request
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from rq import Worker
from sqlalchemy import func, select

from console import create_app
from console.config import ROLE_CORRESPONDENT, ROLE_OPERATOR
from console.extensions import db
from console.jobs import PROGRESS_KEY
from console.money.demo import bulk_cheques
from console.money.models import FeeSchedule, Prescripteur
from console.reports.jobs import run_export
from console.reports.models import Export
from console.schema import init_database
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import PASSWORD, make_collectivite, make_user, service_url
from tests.schema_compare import scratch_database
from tests.serving.processes import clean_env, free_port, http, post_json, start, status_of, stop, wait_until

CONSOLE = str(Path(sys.executable).with_name("console"))
AFFILIATION = {"collectivite": "ALP", "name": "Médiathèque Émile Zola", "siret": "73282932000074",
               "email": "contact@mediatheque-zola.fr", "address": "12 rue de la République", "postcode": "69001",
               "city": "Lyon", "holder": "Association Émile Zola", "iban": "FR7630006000011234567890189",
               "bic": "AGRIFRPP"}
CHEQUES = 50_000  # enough for the second export to be caught in the middle


@pytest.fixture
def topology_database():
    yield from scratch_database(service_url("CONSOLE_TEST_POSTGRES_URL"), "console_test_topology")


def seed(url: str, exports: str) -> Flask:
    """The console on the topology's database, migrated, with a collectivité, its fee schedule, its authorised
    prescripteur and two users."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "CONSOLE_EXPORT_DIR": exports})
    with app.app_context(), scoped(EVERYTHING):
        init_database()
        alpha = make_collectivite("alpha", "ALP", "216901231", "Ville d'Alpha")
        db.session.add(FeeSchedule(collectivite_id=alpha.id, version=1, effective_from=date(2000, 1, 1),
                                   rate=Decimal("1.50"), fixed=Decimal("0.00")))
        db.session.add(Prescripteur(collectivite_id=alpha.id, name="CCAS"))
        db.session.commit()
        make_user("operateur", ROLE_OPERATOR, None)
        make_user("alpha-correspondent", ROLE_CORRESPONDENT, alpha)
    return app


class Browser:
    """A user's browser: cookies, CSRF tokens from the pages, redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read()

    def post_form(self, path: str, token_page: str, **fields: str) -> int:
        page = self.get(token_page)[1].decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        with self.opener.open(self.base + path, data=data, timeout=60) as response:
            return response.status

    def progress(self, export_id: int) -> dict:
        return json.loads(self.get(f"/exports/{export_id}/progress")[1])


def bearer(base: str, username: str) -> dict[str, str]:
    status, answer = post_json(f"{base}/api/v1/security/login",
                               {"username": username, "password": PASSWORD, "provider": "db"})
    assert status == 200, answer
    return {"Authorization": f"Bearer {answer['access_token']}"}


def complete_workbook(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None and "xl/workbook.xml" in archive.namelist()


def test_the_production_topology_survives_a_worker_killed_in_the_middle_of_an_export(topology_database, tmp_path):
    url = topology_database.url.render_as_string(hide_password=False)
    redis_url = re.sub(r"/\d*$", "", service_url("CONSOLE_TEST_REDIS_URL")) + "/7"  # a database of its own
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    exports = tmp_path / "exports"
    app = seed(url, str(exports))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Signed in with a password only: the second factor has its own tests (tests/accounts).
    env = clean_env(CONSOLE_TOTP_ROLES="",
                    CONSOLE_DATABASE_URL=url, CONSOLE_REDIS_URL=redis_url, CONSOLE_SECRET_KEY="topology-test",
                    CONSOLE_EXPORT_DIR=str(exports), CONSOLE_SCHEDULER_TICK="0.5", CONSOLE_JOB_HEARTBEAT_SECONDS="1")
    processes = {
        "serve": start([CONSOLE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"], env,
                       str(tmp_path / "serve.log")),
        "worker-1": start([CONSOLE, "worker"], env, str(tmp_path / "worker-1.log")),
        "worker-2": start([CONSOLE, "worker"], env, str(tmp_path / "worker-2.log")),
        "scheduler": start([CONSOLE, "scheduler"], env, str(tmp_path / "scheduler.log")),
    }
    try:
        wait_until(lambda: status_of(f"{base}/readyz") == 200, 120, "/readyz to answer 200")

        # The operator checks an affiliation request, the collectivité's correspondent approves it (REST API).
        operator = bearer(base, "operateur")
        status, created = post_json(f"{base}/api/v1/affiliation/", AFFILIATION, operator)
        assert status == 201, created
        transition = f"{base}/api/v1/affiliation/{created['id']}/transition"
        assert post_json(transition, {"action": "check_pass"}, operator)[0] == 200
        status, approved = post_json(transition, {"action": "approve"}, bearer(base, "alpha-correspondent"))
        assert status == 200 and approved["status"] == "approved", approved
        with app.app_context():
            assert bulk_cheques(CHEQUES) == CHEQUES  # accepted by the approved partner

        # The correspondent asks for an export in the browser; a worker builds it; it is downloaded.
        browser = Browser(base)
        assert browser.post_form("/login/", "/login/", username="alpha-correspondent", password=PASSWORD) == 200
        period = {"kind": "cheques", "period_start": "2000-01-01", "period_end": date.today().isoformat()}

        def ask_export() -> int:
            assert browser.post_form("/exports/new", "/exports/", **period) == 200
            with app.app_context():
                return db.session.scalar(select(func.max(Export.id)))

        first = ask_export()
        done = wait_until(lambda: (state := browser.progress(first))["status"] in ("done", "failed") and state,
                          120, "the first export")
        assert done["status"] == "done", done
        complete_workbook(browser.get(done["download_url"])[1])

        # The second export: the worker that builds it is killed once it has written part of the rows.
        second = ask_export()

        def in_the_middle() -> bool:
            record = redis.hgetall(f"{PROGRESS_KEY}export:{second}")
            return bool(record) and 0 < int(record[b"done"]) < int(record[b"total"])

        wait_until(in_the_middle, 120, "a worker to be in the middle of the second export", every=0.01)
        [builder] = [worker.pid for worker in Worker.all(connection=redis)
                     if (job := worker.get_current_job()) and job.args[0] is run_export and job.args[2] == second]
        assert builder in (processes["worker-1"].pid, processes["worker-2"].pid)
        os.kill(builder, signal.SIGSTOP)  # frozen where it is, then killed: it can write nothing more
        assert in_the_middle() and browser.progress(second)["status"] == "running"
        os.kill(builder, signal.SIGKILL)

        seen = set()

        def ended() -> dict | None:
            state = browser.progress(second)
            seen.add(state["status"])
            return state if state["status"] in ("done", "failed") else None

        final = wait_until(ended, 120, "the export of the killed worker to end (it stayed running)")
        assert seen <= {"running", "queued", "done"}, seen
        assert final["status"] == "done", final  # queued again, built by the other worker
        complete_workbook(browser.get(final["download_url"])[1])
        with app.app_context():
            db.session.expire_all()
            rows = db.session.execute(select(Export.id, Export.attempts, Export.file_path).order_by(Export.id)).all()
        assert [(export_id, attempts) for export_id, attempts, _ in rows] == [(first, 1), (second, 2)]
        # No partial file, and no file but the two complete ones.
        assert sorted(os.listdir(exports)) == sorted(os.path.basename(path) for _, _, path in rows)
        assert http(f"{base}/readyz")[0] == 200
        assert processes["serve"].poll() is None and processes["scheduler"].poll() is None
    except BaseException:
        for name in processes:  # what each process said, shown by pytest with the failure
            print(f"--- {name}\n" + (tmp_path / f"{name}.log").read_text()[-3000:])
        raise
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
            stop(process)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        redis.flushdb()
