"""The daily digest: each correspondent is e-mailed their queues when a payment is overdue or due within
3 days, or a complaint's window closes within 7 days; never when nothing is, at most once a Paris day.

A periodic job (the scheduler's lease: one sender whatever the processes) checks every hour and sends from
``SEND_FROM_HOUR`` (Paris); a ``daily_digest`` row per user and day, written in the same transaction as the
outbox message, makes a second run that day send nothing — even two schedulers at once (unique key).
Users switch it off on their profile page (``set_subscription``, audited).
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from console import jobs
from console.audit import api as audit
from console.config import ROLE_CORRESPONDENT
from console.extensions import db
from console.mail import queue_mail
from console.money.dates import PARIS, paris_day
from console.queues import definitions
from console.queues.models import DailyDigest, DigestSetting
from console.tenants.context import EVERYTHING, only, scoped
from console.tenants.models import Collectivite, ConsoleUser, utcnow

log = logging.getLogger(__name__)
CHECK_EVERY = 3600.0  # seconds
SEND_FROM_HOUR = 7  # Paris time: the digest arrives before the working day


def subscribed(session: Session, user: ConsoleUser) -> bool:
    """Whether the user receives the daily digest (on unless they switched it off)."""
    setting = session.get(DigestSetting, user.id)
    return setting is None or setting.daily_digest


def set_subscription(session: Session, user: ConsoleUser, on: bool) -> None:
    """Switch the user's own daily digest on or off; audited; flush."""
    setting = session.get(DigestSetting, user.id)
    if setting is None:
        setting = DigestSetting(user_id=user.id)
        session.add(setting)
    setting.daily_digest, setting.changed_at = on, utcnow()
    session.flush()
    audit.record(session, "digest.subscribe" if on else "digest.unsubscribe", user, {"daily_digest": on},
                 actor=user)


def digest_lines(session: Session, user: ConsoleUser, today: date) -> list[tuple[definitions.Queue, int]]:
    """The user's non-empty queues (urgent ones first) with their counts, in the user's collectivité."""
    context = definitions.Context(user.id, today)
    with scoped(only(user.collectivite_id)):
        counts = [(queue, definitions.count(session, queue, context)) for queue in definitions.for_roles(user.role_names)]
    return sorted(((q, n) for q, n in counts if n), key=lambda line: not line[0].urgent)


def _recipients(session: Session, today: date) -> list[int]:
    """Active correspondents of active collectivités, not switched off, not yet sent today's digest
    (three statements whatever their number: users with their roles, and the opt-outs)."""
    sent = select(DailyDigest.user_id).where(DailyDigest.day == today)
    off = select(DigestSetting.user_id).where(DigestSetting.daily_digest.is_(False))
    users = session.scalars(
        select(ConsoleUser).options(selectinload(ConsoleUser.roles))
        .join(Collectivite, Collectivite.id == ConsoleUser.collectivite_id)
        .where(ConsoleUser.active.is_(True), Collectivite.active.is_(True), ConsoleUser.id.not_in(sent),
               ConsoleUser.id.not_in(off))
        .order_by(ConsoleUser.id)).all()
    return [user.id for user in users if ROLE_CORRESPONDENT in user.role_names]


def send_digest(session: Session, user: ConsoleUser, today: date, base_url: str) -> bool:
    """Queue one user's digest for ``today`` if something is urgent and none was sent today; flush."""
    lines = digest_lines(session, user, today)
    if not any(queue.urgent for queue, _count in lines):
        return False  # nothing overdue nor about to close: no e-mail (a later run today may still send one)
    session.add(DailyDigest(user_id=user.id, collectivite_id=user.collectivite_id, day=today,
                            counts={queue.key: count for queue, count in lines}))
    session.flush()  # the unique (user, day) refuses a second digest, whatever ran first
    queue_mail(session, user.email, "daily_digest", collectivite_id=user.collectivite_id, user=user, today=today,
               lines=[(queue.title, count, base_url + queue.link, queue.urgent) for queue, count in lines],
               home=base_url + "/", profile=base_url + "/profile/")
    return True


@jobs.periodic(CHECK_EVERY)
def send_daily_digests(now: Optional[datetime] = None) -> int:
    """Job: e-mail today's digest to every correspondent who has something urgent; return how many were sent."""
    from flask import current_app

    now = now or utcnow()
    if now.replace(tzinfo=timezone.utc).astimezone(PARIS).hour < SEND_FROM_HOUR:
        return 0
    today, base_url = paris_day(now), (current_app.config.get("CONSOLE_BASE_URL") or "").rstrip("/")
    sent = 0
    with Session(db.engine) as session:
        with scoped(EVERYTHING):
            recipients = _recipients(session, today)
        for user_id in recipients:
            with scoped(EVERYTHING):
                user = session.get(ConsoleUser, user_id)
            try:
                sent += send_digest(session, user, today, base_url)
                session.commit()
            except IntegrityError:  # another scheduler sent it a moment ago
                session.rollback()
                log.info("Daily digest of user %s already sent on %s", user_id, today)
    return sent
