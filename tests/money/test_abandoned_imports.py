"""A chéquier import whose worker died never stays « running »: the sweep fails it, deletes its file, and the
user reads, in their language, that nothing was written."""
from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from console import heartbeats
from console.extensions import db
from console.money.imports import jobs as import_jobs
from console.money.imports.models import ChequierImport, ImportStatus
from console.money.models import Chequier
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import ConsoleUser, utcnow


@pytest.fixture
def running_import(app, world, tmp_path):
    """An import of A's correspondent, claimed by a worker (its file waiting in the shared folder)."""
    path = tmp_path / "chequiers.csv"
    path.write_bytes(b"Num\xe9ro du ch\xe9quier;Prescripteur\r\n")
    with scoped(EVERYTHING):
        user = db.session.scalars(select(ConsoleUser).filter_by(username=world.a.users["correspondent"])).one()
        imported = ChequierImport(user_id=user.id, collectivite_id=world.a.id, filename="chequiers.csv",
                                  file_path=str(path), language="fr", status=ImportStatus.running,
                                  created_at=utcnow() - timedelta(hours=1), heartbeat_at=utcnow())
        db.session.add(imported)
        db.session.commit()
        return imported.id, path


def set_import(import_id: int, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(update(ChequierImport).where(ChequierImport.id == import_id).values(**values))


def reload(import_id: int) -> ChequierImport:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.get(ChequierImport, import_id)


def beats_ago(beats: float, seconds: int = 0):
    return utcnow() - timedelta(seconds=beats * heartbeats.interval() + seconds)


def test_a_silent_running_import_fails_in_its_users_language_and_loses_its_file(running_import):
    import_id, path = running_import
    set_import(import_id, heartbeat_at=beats_ago(heartbeats.SILENT_BEATS, +1))

    assert import_jobs.sweep_abandoned_imports() == 1
    imported = reload(import_id)
    assert imported.status is ImportStatus.failed and imported.finished and imported.finished_at is not None
    assert imported.error == ("Le processus qui importait ce fichier s’est arrêté\u00a0: rien n’a été "
                              "enregistré. Importez le fichier à nouveau.")
    assert imported.file_path is None and not os.path.exists(path)
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count(Chequier.id))) == 0  # nothing written, nothing to undo
    assert import_jobs.sweep_abandoned_imports() == 0  # failed once, left failed
    assert reload(import_id).status is ImportStatus.failed


def test_a_running_import_that_beat_within_the_silence_is_left_alone(running_import):
    import_id, path = running_import
    set_import(import_id, heartbeat_at=beats_ago(heartbeats.SILENT_BEATS, -1))

    assert import_jobs.sweep_abandoned_imports() == 0
    assert reload(import_id).status is ImportStatus.running and os.path.exists(path)


def test_an_import_claimed_before_heartbeats_existed_counts_from_its_creation(running_import):
    import_id, _ = running_import
    set_import(import_id, heartbeat_at=None, created_at=beats_ago(0, -30))  # created 30 s ago: alive
    assert import_jobs.sweep_abandoned_imports() == 0
    set_import(import_id, created_at=beats_ago(heartbeats.SILENT_BEATS, +1))
    assert import_jobs.sweep_abandoned_imports() == 1


def test_finished_and_queued_imports_are_never_swept(running_import):
    import_id, path = running_import
    for status in (ImportStatus.queued, ImportStatus.done, ImportStatus.refused):
        set_import(import_id, status=status, heartbeat_at=beats_ago(10))
        assert import_jobs.sweep_abandoned_imports() == 0
        assert reload(import_id).status is status and os.path.exists(path)


def test_the_import_job_claims_with_a_heartbeat_and_beats_while_it_runs(running_import, monkeypatch):
    import_id, _ = running_import
    set_import(import_id, status=ImportStatus.queued, heartbeat_at=None)
    beats = []
    real = heartbeats.beating

    def watched(engine, model, row_id, running, every):
        beats.append((model, row_id, running, every, reload(import_id).heartbeat_at))
        return real(engine, model, row_id, running, every)

    monkeypatch.setattr(heartbeats, "beating", watched)
    import_jobs.run_import(import_id)

    assert [b[:4] for b in beats] == [(ChequierImport, import_id, ImportStatus.running, heartbeats.interval())]
    assert beats[0][4] is not None and beats[0][4] > utcnow() - timedelta(minutes=1)  # set by the claim
    assert reload(import_id).finished  # the (header-only) file was read and the import ended


def test_a_job_swept_while_it_ran_writes_nothing_and_leaves_the_import_failed(running_import, prescripteurs,
                                                                               monkeypatch):
    """A worker stalled past the silence, then back to life: the user was told nothing was written, so it
    writes nothing (its rows are rolled back) and the import stays failed."""
    from console.money.dates import paris_day
    from console.money.imports import api
    from tests.money.test_chequier_import import csv_bytes, french

    import_id, path = running_import
    today = paris_day(utcnow())
    path.write_bytes(csv_bytes([["LATE-1", "CCAS d’Alpha", french(today), french(today + timedelta(days=300)),
                                 "", ""]]))
    set_import(import_id, status=ImportStatus.queued, heartbeat_at=None)
    real_run = api.run

    def stalled_run(*args, **kwargs):
        set_import(import_id, heartbeat_at=beats_ago(heartbeats.SILENT_BEATS, +1))
        assert import_jobs.sweep_abandoned_imports() == 1  # the sweep runs while this worker is stalled
        return real_run(*args, **kwargs)

    monkeypatch.setattr(api, "run", stalled_run)
    import_jobs.run_import(import_id)

    imported = reload(import_id)
    assert imported.status is ImportStatus.failed and "rien n’a été enregistré" in imported.error
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count(Chequier.id))) == 0
