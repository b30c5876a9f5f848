"""An export whose worker died never stays « running »: heartbeat, sweep, one more attempt, then failure."""
from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from console import heartbeats, jobs
from console.extensions import db
from console.reports import heartbeat
from console.reports import jobs as report_jobs
from console.reports.models import Export, ExportStatus
from console.tenants.models import utcnow


@pytest.fixture
def export_id(app, world):
    from console.reports.models import ExportKind
    from console.tenants.models import ConsoleUser

    user = db.session.query(ConsoleUser).filter_by(username=world.a.users["elected"]).one()
    export = Export(user_id=user.id, collectivite_id=world.a.id, kind=ExportKind.partners,
                    parameters={"language": "fr"}, status=ExportStatus.queued, rows_done=0)
    db.session.add(export)
    db.session.commit()
    return export.id


def set_export(export_id: int, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(update(Export).where(Export.id == export_id).values(**values))


def reload(export_id: int) -> Export:
    db.session.expire_all()
    return db.session.get(Export, export_id)


def test_a_silent_running_export_is_queued_again_once_then_failed(app, export_id, monkeypatch):
    enqueued = []
    monkeypatch.setattr(jobs, "enqueue", lambda func, *args: enqueued.append((func, args)))
    silent_since = utcnow() - timedelta(seconds=heartbeats.SILENT_BEATS * heartbeats.interval() + 1)
    folder = app.config["CONSOLE_EXPORT_DIR"]
    os.makedirs(folder, exist_ok=True)
    partial = os.path.join(folder, f"export-{export_id}-0123abcd.xlsx.part")
    open(partial, "wb").close()
    set_export(export_id, status=ExportStatus.running, attempts=1, started_at=silent_since, heartbeat_at=silent_since)

    assert heartbeat.sweep_abandoned_exports() == (1, 0)
    export = reload(export_id)
    assert export.status is ExportStatus.queued and export.heartbeat_at is None and not os.path.exists(partial)
    assert enqueued == [(report_jobs.run_export, (export_id,))]

    # The second attempt's worker dies too: the export fails, in its user's language, and stays failed.
    set_export(export_id, status=ExportStatus.running, attempts=2, heartbeat_at=silent_since)
    assert heartbeat.sweep_abandoned_exports() == (0, 1)
    export = reload(export_id)
    assert export.status is ExportStatus.failed and export.file_path is None
    assert export.error == "Le processus qui préparait cet export s’est arrêté\u00a0: demandez-le à nouveau."
    assert heartbeat.sweep_abandoned_exports() == (0, 0) and len(enqueued) == 1


def test_a_running_export_whose_heartbeat_is_recent_is_left_alone(app, export_id):
    last_second = utcnow() - timedelta(seconds=heartbeats.SILENT_BEATS * heartbeats.interval() - 1)
    set_export(export_id, status=ExportStatus.running, attempts=1, started_at=last_second - timedelta(hours=1),
               heartbeat_at=last_second)
    assert heartbeat.sweep_abandoned_exports() == (0, 0)
    assert reload(export_id).status is ExportStatus.running


def test_the_heartbeat_beats_while_the_job_runs_and_stops_after(app, export_id):
    long_ago = utcnow() - timedelta(hours=1)
    set_export(export_id, status=ExportStatus.running, heartbeat_at=long_ago)
    with heartbeats.beating(db.engine, Export, export_id, ExportStatus.running, 0.05):
        time.sleep(0.3)
        beat = reload(export_id).heartbeat_at
        assert beat > long_ago + timedelta(minutes=59)
    stopped = reload(export_id).heartbeat_at
    time.sleep(0.3)
    assert reload(export_id).heartbeat_at == stopped


def test_an_attempt_swept_meanwhile_does_not_record_its_outcome(app, export_id, tmp_path):
    set_export(export_id, status=ExportStatus.running, attempts=2)  # the sweep gave the export to attempt 2
    with db.session() as session:
        assert not report_jobs._finish(session, export_id, 1, status=ExportStatus.done, file_path="late.xlsx")
        assert report_jobs._finish(session, export_id, 2, status=ExportStatus.done, file_path="own.xlsx")
    assert reload(export_id).file_path == "own.xlsx"
