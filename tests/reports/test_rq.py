"""The same export jobs on a real Redis, served by a real rq worker; rights re-checked when the job runs."""
from __future__ import annotations

import io

import openpyxl
import pytest
from redis import Redis
from rq import SimpleWorker

from console import jobs
from console.extensions import db
from console.reports import jobs as report_jobs
from console.reports.models import ExportStatus
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import ConsoleUser
from tests.conftest import csrf_token, login, service_url
from tests.reports.conftest import ask, last_export, table


@pytest.fixture
def rq_runner(app):
    """Jobs go to the test Redis, as with CONSOLE_REDIS_URL set; restored afterwards."""
    url = service_url("CONSOLE_TEST_REDIS_URL")
    Redis.from_url(url).flushdb()
    embedded = app.extensions["console_jobs"]
    runner = app.extensions["console_jobs"] = jobs.RqRunner(url)
    yield runner
    app.extensions["console_jobs"] = embedded
    runner.connection.close()


def work(runner: jobs.RqRunner) -> None:
    """One rq worker, until the queue is empty."""
    SimpleWorker([runner.queue], connection=runner.connection).work(burst=True)


def test_an_export_runs_on_an_rq_worker_with_progress_in_redis(client, world, money, rq_runner, monkeypatch):
    seen = []
    record = jobs.RqRunner.set_progress
    monkeypatch.setattr(jobs.RqRunner, "set_progress",
                        lambda self, key, done, total: (seen.append((done, total)), record(self, key, done, total)))
    monkeypatch.setattr("console.reports.report.PROGRESS_EVERY", 2)
    login(client, world.a.users["elected"])
    ask(client, "cheques")
    export = last_export()
    assert export.status is ExportStatus.queued and rq_runner.queue.count == 1
    assert client.get(f"/exports/{export.id}/progress").json["status"] == "queued"
    assert client.get(f"/exports/{export.id}/download").status_code == 409  # nothing before it is complete

    work(rq_runner)
    export = last_export()
    assert export.status is ExportStatus.done and rq_runner.queue.count == 0
    assert (9, 9) in seen and [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert jobs.RqRunner.get_progress(rq_runner, report_jobs.progress_key(export.id)) == (9, None)
    with client.get(f"/exports/{export.id}/download") as download:
        headers, rows = table(openpyxl.load_workbook(io.BytesIO(download.data)), "Chèques")
    assert len(rows) == 9


def test_a_failing_job_on_rq_is_failed_with_its_message_and_retry_runs_it_again(
        client, world, money, rq_runner, monkeypatch):
    def broken(report):
        raise ValueError("base indisponible")

    login(client, world.a.users["correspondent"])
    ask(client, "summary")
    with monkeypatch.context() as patch:
        patch.setitem(report_jobs.BUILDERS, report_jobs.ExportKind.summary, broken)
        work(rq_runner)
    export = last_export()
    assert export.status is ExportStatus.failed and "base indisponible" in export.error and not export.file_path

    client.post(f"/exports/{export.id}/retry", data={"csrf_token": csrf_token(client, "/exports/")})
    assert rq_runner.queue.count == 1
    work(rq_runner)
    export = last_export()
    assert export.status is ExportStatus.done and export.attempts == 2


def test_the_job_re_checks_the_user_s_rights_when_it_runs(client, world, money, rq_runner):
    login(client, world.a.users["elected"])
    ask(client, "reimbursements")
    with scoped(EVERYTHING):
        user = db.session.query(ConsoleUser).filter_by(username=world.a.users["elected"]).one()
        user.active = False
        db.session.commit()
    work(rq_runner)
    export = last_export()
    assert export.status is ExportStatus.failed and export.error == "Ce compte ne peut rien exporter."
    assert export.file_path is None
