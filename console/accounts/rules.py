"""Rules of accounts (no Flask): how long a password link lives, how often one may be asked for."""
from __future__ import annotations

from datetime import datetime, timedelta

from console.errors import N_, DomainError

RESET = "reset"
WELCOME = "welcome"
#: « Mot de passe oublié ? »: one hour (the issue of a stolen mailbox is bounded by it).
RESET_LINK_VALIDITY = timedelta(hours=1)
#: An account opened by someone else: its first link waits three days for its owner.
WELCOME_LINK_VALIDITY = timedelta(days=3)
#: At most this many reset e-mails per account per hour, whoever asks (no mailbox flooding).
RESETS_PER_ACCOUNT_PER_HOUR = 3


def link_expiry(purpose: str, created_at: datetime) -> datetime:
    """When a link of ``purpose`` created at ``created_at`` stops working."""
    return created_at + (WELCOME_LINK_VALIDITY if purpose == WELCOME else RESET_LINK_VALIDITY)


def may_send_reset(sent_in_last_hour: int) -> bool:
    """Whether one more reset e-mail may go to an account that received ``sent_in_last_hour``."""
    return sent_in_last_hour < RESETS_PER_ACCOUNT_PER_HOUR


def check_link_usable(expires_at: datetime, used_at: datetime | None, revoked_at: datetime | None,
                      now: datetime) -> None:
    """A link works once, before its expiry (exactly at expiry it no longer does), unless replaced."""
    if used_at is not None or revoked_at is not None or now >= expires_at:
        raise DomainError(N_("This link is no longer valid (used, replaced by a newer one, or older than its "
                             "validity). Ask for a new one."), rule="password_link")


#: How often a session's last activity is written (each request would be a write per page).
ACTIVITY_RESOLUTION = timedelta(minutes=1)


def session_open(created_at: datetime, last_seen_at: datetime, ended_at: datetime | None, version: int,
                 user_version: int, now: datetime, idle: timedelta | None, lifetime: timedelta) -> bool:
    """A session lives until logout, a newer session version (password, role, deactivation, « partout »),
    ``idle`` without activity (web only) or ``lifetime`` after sign-in, whichever comes first (exactly at
    the limit it is over)."""
    if ended_at is not None or version != user_version:
        return False
    if now >= created_at + lifetime:
        return False
    return idle is None or now < last_seen_at + idle


def second_factor_required(role_names: set[str], roles_requiring_it: set[str] | list[str]) -> bool:
    """Whether a user holding ``role_names`` must sign in with a second factor (configured per role)."""
    return bool(set(role_names) & set(roles_requiring_it))
