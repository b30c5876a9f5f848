"""The audit trail's door, its hash chains, `console audit verify` and PostgreSQL's append-only trigger."""
from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from console.audit import api as audit
from console.audit.actions import UnknownAction
from console.audit.models import AuditChain, AuditEvent
from console.extensions import db
from console.tenants.context import EVERYTHING, only, scoped
from console.tenants.models import Collectivite, ConsoleUser
from tests.conftest import make_collectivite
from tests.audit.helpers import events, tamper, verify_output


def _user(username: str) -> ConsoleUser:
    return db.session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))


@pytest.fixture
def places(app) -> tuple[int, int]:
    """Two collectivités (alpha, beta) and no users: the chain tests need no accounts."""
    with scoped(EVERYTHING):
        ids = make_collectivite("alpha", "ALP", "216901231", "Alpha").id, make_collectivite(
            "beta", "BET", "223300013", "Bêta").id
        db.session.commit()
    return ids


def _write(alpha: int, count: int = 4) -> list[AuditEvent]:
    """``count`` events in alpha's chain, then one platform event."""
    with scoped(EVERYTHING):
        written = [audit.record(db.session, "partner.update", details={"n": n}, actor=None, collectivite_id=alpha)
                   for n in range(count)]
        written.append(audit.record(db.session, "login.failed", details={"login": "x"}, actor=None))
        db.session.commit()
    return written


def test_record_copies_the_actor_and_keeps_canonical_details(app, world):
    with scoped(EVERYTHING), app.test_request_context("/", headers={"X-Request-ID": "req-000042"},
                                                      environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        actor = _user(world.a.users["correspondent"])
        collectivite = db.session.get(Collectivite, world.a.id)
        event = audit.record(db.session, "collectivite.update", collectivite,
                             {"amount": Decimal("10.50"), "on": date(2024, 2, 29), "why": "é"}, actor=actor)
        db.session.commit()
    [kept] = events()
    assert (kept.actor_id, kept.actor_login, kept.actor_name) == (actor.id, "alpha-correspondent", "Alpha Test")
    assert (kept.collectivite_id, kept.chain, kept.seq) == (world.a.id, f"collectivite:{world.a.id}", 1)
    assert (kept.object_type, kept.object_id) == ("collectivite", str(world.a.id))
    assert kept.details == '{"amount":"10.50","on":"2024-02-29","why":"é"}'
    assert (kept.client_address, kept.request_id) == ("192.0.2.7", "req-000042")
    assert kept.hash == event.hash and len(kept.hash) == 64 and kept.prev_hash == "0" * 64


def test_an_unknown_action_is_refused(app):
    with scoped(EVERYTHING), pytest.raises(UnknownAction):
        audit.record(db.session, "partner.delete", details={})


def test_chains_are_per_collectivite_and_verify_counts_every_event(app, places):
    written = _write(places[0])
    assert [e.seq for e in written] == [1, 2, 3, 4, 1]
    assert written[1].prev_hash == written[0].hash
    assert written[4].chain == "platform" and written[4].collectivite_id is None
    code, output = verify_output(app)
    assert code == 0, output
    assert "5 events in 2 chains" in output
    code, output = verify_output(app, "--collectivite", "alpha")
    assert code == 0 and "4 events in 1 chains" in output
    assert verify_output(app, "--collectivite", "nowhere")[0] != 0


@pytest.mark.parametrize("case", ["changed", "deleted", "deleted_last", "inserted", "reordered"])
def test_tampering_is_found_and_the_event_named(app, places, case):
    written = _write(places[0])
    ids, hashes, first_at = [e.id for e in written], [e.hash for e in written], written[0].at
    chain, cid = written[0].chain, places[0]
    if case == "changed":
        tamper("UPDATE audit_event SET details = :forged WHERE id = :id", forged='{"n":99}', id=ids[1])
        expected = f"event #{ids[1]} (seq 2)"
    elif case == "deleted":
        tamper("DELETE FROM audit_event WHERE id = :id", id=ids[1])
        expected = f"event #{ids[2]} (seq 3): event(s) 2..2 missing"
    elif case == "deleted_last":
        tamper("DELETE FROM audit_event WHERE id = :id", id=ids[3])
        expected = "ends at seq 3 but its head says seq 4"
    elif case == "inserted":
        # A forged event with a well-formed hash, slipped in as seq 3: the later ones are renumbered.
        tamper("UPDATE audit_event SET seq = seq + 100 WHERE chain = :chain AND seq >= 3", chain=chain)
        tamper("UPDATE audit_event SET seq = seq - 99 WHERE chain = :chain AND seq >= 100", chain=chain)
        tamper("INSERT INTO audit_event (chain, seq, at, action, details, prev_hash, hash, collectivite_id) "
               "VALUES (:chain, 3, :at, 'partner.approve', '{}', :prev, :hash, :cid)",
               chain=chain, at=first_at, prev=hashes[1], hash=hashes[0], cid=cid)
        forged = db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "partner.approve"))
        expected = f"event #{forged} (seq 3)"
    else:
        tamper("UPDATE audit_event SET seq = 100 WHERE id = :id", id=ids[1])
        tamper("UPDATE audit_event SET seq = 2 WHERE id = :id", id=ids[2])
        tamper("UPDATE audit_event SET seq = 3 WHERE id = :id", id=ids[1])
        expected = f"event #{ids[2]} (seq 2): does not follow"
    code, output = verify_output(app)
    assert code == 1, output
    assert f"TAMPERED {chain}" in output and expected in output, output
    # The other chain is still intact, and checked on its own it passes.
    assert "platform" not in output
    assert verify_output(app, "--collectivite", "beta")[0] == 0


POSTGRESQL_ONLY = pytest.mark.parametrize("session_app", ["postgresql"], indirect=True)


@POSTGRESQL_ONLY
def test_postgresql_refuses_update_and_delete_of_an_event(app, places):
    _write(places[0], 1)
    for statement in ("UPDATE audit_event SET action = 'login.success'", "DELETE FROM audit_event",
                      "TRUNCATE audit_event"):
        with db.engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
    assert len(events()) == 2


@POSTGRESQL_ONLY
def test_two_writers_of_one_collectivite_never_fork_its_chain(app, places):
    """Two threads, two sessions, 15 events each in A's chain at the same time (SQLite has one writer)."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            with app.app_context(), Session(db.engine) as session, scoped(only(places[0])):
                barrier.wait()
                for n in range(15):
                    audit.record(session, "partner.update", details={"n": offset + n}, actor=None,
                                 collectivite_id=places[0])
                    session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(offset,)) for offset in (0, 100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    chain = events(chain=f"collectivite:{places[0]}")
    assert sorted(e.seq for e in chain) == list(range(1, 31))
    assert len({e.prev_hash for e in chain}) == 30  # no two events claim the same predecessor
    assert db.session.get(AuditChain, f"collectivite:{places[0]}").seq == 30
    assert verify_output(app)[0] == 0
