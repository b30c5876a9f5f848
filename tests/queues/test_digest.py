"""The daily digest: its content, no e-mail when nothing is urgent, once a day, switched off per user."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

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
from tests.queues.conftest import fill


def paris(day, hour: int) -> datetime:
    """A naive UTC timestamp at ``hour`` o'clock in Paris on ``day``."""
    return datetime.combine(day, time(hour), tzinfo=PARIS).astimezone(timezone.utc).replace(tzinfo=None)


def digests() -> list[OutboxMessage]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "daily_digest")).all()


def test_digest_content_once_a_day_only_when_urgent_and_switched_off_per_user(client, world):
    today = paris_day(utcnow())
    fill(world, world.a, 0, 0, True, today)  # A: overdue, due soon, closing; B: nothing at all
    with scoped(EVERYTHING):
        make_user("alpha-correspondent2", ROLE_CORRESPONDENT, world.a.collectivite)
    login(client, "alpha-correspondent2")
    assert 'name="daily_digest" value="on" checked' in page_text(client.get("/profile/"))
    client.post("/profile/digest", data={"csrf_token": csrf_token(client, "/profile/")})  # box unticked: off
    assert 'name="daily_digest" value="on">' in page_text(client.get("/profile/"))

    assert digest.send_daily_digests(paris(today, 6)) == 0  # before 7:00 in Paris: not yet
    assert digest.send_daily_digests(paris(today, 8)) == 1
    assert digest.send_daily_digests(paris(today, 15)) == 0  # the same day again: nothing more
    [mail] = digests()
    assert mail.recipient == "alpha-correspondent@test.example.fr"  # not B's (nothing due), not the one who opted out
    body = mail.body.replace("\u00a0", " ")
    assert f"travail en attente le {today:%d/%m/%Y}" in mail.subject.replace("\u00a0", " ")
    for line in ("Paiements en retard (plus de 15 jours après la validation) : 1 (urgent)",
                 "Paiements à effectuer dans les 3 jours : 2 (urgent)",
                 "Réclamations dont le délai se termine dans les 7 jours : 2 (urgent)",
                 "Demandes de remboursement à valider : 1", "/reimbursements/?queue=payments_overdue", "/profile/"):
        assert line in body, line
    assert body.index("(urgent)") < body.index("Demandes de remboursement à valider")  # urgent lines first
    with scoped(EVERYTHING):
        sent = db.session.scalars(select(DailyDigest)).one()
        assert (sent.day, sent.counts["payments_overdue"]) == (today, 1)
        switched = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "digest.unsubscribe")).one()
        assert switched.actor_login == "alpha-correspondent2"
    # The next day, something still overdue: a new digest.
    assert digest.send_daily_digests(paris(today + timedelta(days=1), 8)) == 1 and len(digests()) == 2
