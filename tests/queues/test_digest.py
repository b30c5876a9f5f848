"""The daily digest: its content, no e-mail when nothing is urgent, once a day, switched off per user."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from console import jobs
from console.audit.models import AuditEvent
from console.config import ROLE_CORRESPONDENT
from console.extensions import db
from console.mail import OutboxMessage
from console.money.dates import PARIS, paris_day
from console.queues import digest
from console.queues.models import DailyDigest
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import utcnow
from tests.conftest import csrf_token, login, make_user, page_text
from tests.queues.conftest import fill_both


def paris(day, hour: int) -> datetime:
    """A naive UTC timestamp at ``hour`` o'clock in Paris on ``day``."""
    return datetime.combine(day, time(hour), tzinfo=PARIS).astimezone(timezone.utc).replace(tzinfo=None)


def digests() -> list[OutboxMessage]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "daily_digest")).all()


def test_the_digest_is_a_periodic_job():
    assert any(func is digest.send_daily_digests for _every, func in jobs.PERIODIC)


def test_digest_content_once_a_day_only_when_urgent_and_switched_off_per_user(client, world):
    today = paris_day(utcnow())
    with scoped(EVERYTHING):
        make_user("alpha-correspondent2", ROLE_CORRESPONDENT, world.a.collectivite)
    login(client, "alpha-correspondent2")
    assert 'name="daily_digest" value="on" checked' in page_text(client.get("/profile/"))
    client.post("/profile/digest", data={"csrf_token": csrf_token(client, "/profile/")})  # box unticked: off
    assert 'name="daily_digest" value="on">' in page_text(client.get("/profile/"))

    assert digest.send_daily_digests(paris(today, 8)) == 0 and digests() == []  # nothing due anywhere: no e-mail
    fill_both(world, today)  # A: overdue, due soon, closing; B: due soon and closing, more requests to validate
    assert digest.send_daily_digests(paris(today, 6)) == 0  # before 7:00 in Paris: not yet
    assert digest.send_daily_digests(paris(today, 9)) == 2  # A's and B's correspondents, not the one who opted out
    assert digest.send_daily_digests(paris(today, 15)) == 0  # the same day again: nothing more
    mails = {mail.recipient: mail for mail in digests()}
    assert set(mails) == {"alpha-correspondent@test.example.fr", "beta-correspondent@test.example.fr"}
    mail = mails["alpha-correspondent@test.example.fr"]
    body = mail.body.replace("\u00a0", " ")
    assert f"travail en attente le {today:%d/%m/%Y}" in mail.subject.replace("\u00a0", " ")
    for line in ("Paiements en retard (plus de 15 jours après la validation) : 1 (urgent)",
                 "Paiements à effectuer dans les 3 jours : 2 (urgent)",
                 "Réclamations dont le délai se termine dans les 7 jours : 2 (urgent)",
                 "Demandes de remboursement à valider : 1", "/reimbursements/?queue=payments_overdue", "/profile/"):
        assert line in body, line
    assert body.index("(urgent)") < body.index("Demandes de remboursement à valider")  # urgent lines first
    # Each collectivité's own counts: B holds 3 requests to validate and nothing overdue.
    beta = mails["beta-correspondent@test.example.fr"].body.replace("\u00a0", " ")
    assert "Demandes de remboursement à valider : 3" in beta and "Paiements en retard" not in beta
    with scoped(EVERYTHING):
        sent = {row.user_id: row for row in db.session.scalars(select(DailyDigest))}
        assert sorted((row.day, row.counts.get("payments_overdue", 0)) for row in sent.values()) == [
            (today, 0), (today, 1)]
        switched = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "digest.unsubscribe")).one()
        assert switched.actor_login == "alpha-correspondent2"
    # The next day, something still urgent: new digests.
    assert digest.send_daily_digests(paris(today + timedelta(days=1), 8)) == 2 and len(digests()) == 4
