"""Writes on password links: issue one, send one on request, use one (validate, change, flush)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from console.accounts import rules
from console.accounts.models import PasswordLink
from console.audit import api as audit
from console.mail import queue_mail
from console.tenants import api as tenants_api
from console.tenants.models import ConsoleUser, utcnow
from console.tenants.rules import check_password_strength

#: Path of the page a link opens; the token follows it.
LINK_PATH = "/password-link/"


def hash_token(token: str) -> str:
    """What is stored of a token: a leaked table gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + LINK_PATH + token


def _revoke_open_links(session: Session, user_id: int, now) -> None:
    session.execute(update(PasswordLink)
                    .where(PasswordLink.user_id == user_id, PasswordLink.used_at.is_(None),
                           PasswordLink.revoked_at.is_(None))
                    .values(revoked_at=now))


def issue_link(session: Session, user: ConsoleUser, purpose: str) -> str:
    """A new link for ``user`` (every older one stops working); returns the token, never stored."""
    now = utcnow()
    _revoke_open_links(session, user.id, now)
    token = secrets.token_urlsafe(32)
    session.add(PasswordLink(user_id=user.id, token_hash=hash_token(token), purpose=purpose, created_at=now,
                             expires_at=rules.link_expiry(purpose, now)))
    session.flush()
    return token


def send_welcome_link(session: Session, user: ConsoleUser, base_url: str, created_by: ConsoleUser) -> None:
    """An account opened by someone else: its owner chooses the password through a link."""
    token = issue_link(session, user, rules.WELCOME)
    queue_mail(session, user.email, "account_created", collectivite_id=user.collectivite_id, user=user,
               url=link_url(base_url, token), created_by=created_by)


def send_reset_link(session: Session, login: str, base_url: str) -> bool:
    """« Mot de passe oublié ? » for ``login``: e-mail a link if the account exists and is not flooded.

    Returns whether an e-mail was queued (never shown to the asker). The current password is untouched.
    """
    user = tenants_api.find_active_user(session, login)
    if user is None:
        return False
    since = utcnow() - timedelta(hours=1)
    sent = session.scalar(select(func.count(PasswordLink.id)).where(
        PasswordLink.user_id == user.id, PasswordLink.purpose == rules.RESET, PasswordLink.created_at >= since))
    if not rules.may_send_reset(sent):
        return False
    token = issue_link(session, user, rules.RESET)
    audit.record(session, "password.forgotten", user, {"username": user.username}, actor=None)
    queue_mail(session, user.email, "password_link", collectivite_id=user.collectivite_id, user=user,
               url=link_url(base_url, token), hours=int(rules.RESET_LINK_VALIDITY.total_seconds() // 3600))
    return True


def find_link(session: Session, token: str) -> PasswordLink | None:
    return session.scalars(select(PasswordLink).where(PasswordLink.token_hash == hash_token(token or ""))).first()


def check_link(session: Session, token: str) -> PasswordLink:
    """The usable link of ``token``, else the rule's refusal (unknown tokens read as invalid ones)."""
    link = find_link(session, token)
    now = utcnow()
    if link is None:
        rules.check_link_usable(now, None, None, now)  # always refuses, with the same message
    rules.check_link_usable(link.expires_at, link.used_at, link.revoked_at, now)
    return link


def use_link(session: Session, token: str, password: str, method: str = "scrypt") -> ConsoleUser:
    """Choose a password through a link: it works once (a conditional UPDATE wins any race)."""
    link = check_link(session, token)
    check_password_strength(password)
    now = utcnow()
    claimed = session.execute(update(PasswordLink)
                              .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None),
                                     PasswordLink.revoked_at.is_(None), PasswordLink.expires_at > now)
                              .values(used_at=now)).rowcount
    if claimed != 1:
        rules.check_link_usable(now, now, None, now)
    user = session.get(ConsoleUser, link.user_id)
    if user is None or not user.active:
        rules.check_link_usable(now, now, None, now)
    user.password = generate_password_hash(password, method=method)  # ends every session (accounts.sessions)
    _revoke_open_links(session, user.id, now)
    session.flush()
    tenants_api.audit_password_set(session, user, user)
    return user
