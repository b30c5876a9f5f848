"""« Journal d'audit »: operators read everything, correspondents their collectivité's (page, filters,
export); partner, request and complaint pages link to their events; the daily signed checkpoint."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from console.audit import api as audit
from console.audit import jobs as audit_jobs
from console.audit.canonical import event_hash
from console.audit.models import AuditCheckpoint, AuditEvent
from console.extensions import db
from console.mail import OutboxMessage
from console.money.dates import paris_day
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import utcnow
from tests.audit.helpers import tamper, verify_output
from tests.conftest import login, logout, make_partner
from tests.reports.conftest import export_and_open, table


def _events_of_both(world) -> dict[str, int]:
    """One partner event in A and in B, one platform event; returns the partner ids."""
    ids = {"a": make_partner(world.a.collectivite), "b": make_partner(world.b.collectivite, number=1)}
    with scoped(EVERYTHING):
        from console.partners.models import Partner

        for key, pk in ids.items():
            audit.record(db.session, "partner.update", db.session.get(Partner, pk), {"mark": f"mark-{key}"},
                         actor=None)
        audit.record(db.session, "login.failed", details={"login": "mark-platform"}, actor=None)
        db.session.commit()
    return ids


def test_a_correspondent_reads_only_their_collectivite_and_operators_everything(client, world):
    ids = _events_of_both(world)
    login(client, world.a.users["correspondent"])
    page = client.get("/audit/").get_data(as_text=True)
    assert "mark-a" in page and "mark-b" not in page and "mark-platform" not in page
    # Filters never widen the scope: B's object, B's action, any period.
    for query in (f"object_type=partner&object_id={ids['b']}", "action=login.failed",
                  "start=2000-01-01&end=2100-12-31"):
        page = client.get(f"/audit/?{query}").get_data(as_text=True)
        assert "mark-b" not in page and "mark-platform" not in page, query
    page = client.get(f"/audit/?object_type=partner&object_id={ids['a']}").get_data(as_text=True)
    assert "mark-a" in page
    page = client.get("/audit/?action=partner.update&start=2000-01-01&end=2000-01-02").get_data(as_text=True)
    assert "mark-a" not in page  # the period filters
    # The partner page links to its own events.
    page = client.get(f"/partnerview/show/{ids['a']}").get_data(as_text=True)
    assert f"/audit/?object_type=partner&amp;object_id={ids['a']}" in page
    logout(client)
    for username in (world.a.users["support"], world.a.users["elected"]):
        login(client, username)
        assert client.get("/audit/").status_code in (302, 403)
        logout(client)
    login(client, "operateur")
    page = client.get("/audit/").get_data(as_text=True)
    assert all(mark in page for mark in ("mark-a", "mark-b", "mark-platform"))


def test_the_audit_export_holds_the_collectivite_events_and_is_itself_audited(client, world):
    _events_of_both(world)
    login(client, world.a.users["correspondent"])
    today = paris_day(utcnow()).isoformat()  # the events' Paris day (from 23:00 UTC, not the machine's)
    workbook = export_and_open(client, "audit", period_start=today, period_end=today)
    headers, rows = table(workbook, "Journal d’audit")
    details = " ".join(str(row[headers[6]]) for row in rows)
    assert "mark-a" in details and "mark-b" not in details and "mark-platform" not in details
    db.session.expire_all()
    asked = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("export.%"))
                               .order_by(AuditEvent.id)).all()
    assert asked == ["export.create", "export.download"]


def test_the_daily_checkpoint_is_signed_mailed_once_a_day_and_verified(app, world):
    _events_of_both(world)
    assert audit_jobs.daily_checkpoint(datetime(2099, 1, 1, 1)) is True
    # Once a Paris day: 22:59 UTC is still 1 January in Paris (23:30 UTC would be the 2nd: tests/rules).
    assert audit_jobs.daily_checkpoint(datetime(2099, 1, 1, 22, 59)) is False
    db.session.expire_all()
    [checkpoint] = db.session.scalars(select(AuditCheckpoint)).all()
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "audit_checkpoint")).all()
    assert mail.recipient == "operateur@test.example.fr" and checkpoint.signature in mail.body
    code, output = verify_output(app)
    assert code == 0 and "1 checkpoints" in output, output
    # Rewriting A's chain consistently (every hash recomputed, head moved) only the checkpoint can tell.
    chain = f"collectivite:{world.a.id}"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.chain == chain)).all()
    fields = {**event.hashed_fields(), "details": '{"mark":"forged"}'}
    forged = event_hash(event.prev_hash, fields)
    tamper("UPDATE audit_event SET details = :d, hash = :h WHERE id = :id", d=fields["details"], h=forged,
           id=event.id)
    tamper("UPDATE audit_chain SET last_hash = :h WHERE chain = :c", h=forged, c=chain)
    code, output = verify_output(app)
    assert code == 1, output
    assert f"TAMPERED {chain}: checkpoint #{checkpoint.id}, event #{event.id} (seq 1)" in output, output
    assert output.count("TAMPERED") == 1  # the chain alone looks intact
    tamper("UPDATE audit_checkpoint SET heads = :h", h="{}")
    code, output = verify_output(app)
    assert code == 1 and "signature does not match" in output, output
