"""Second factor: TOTP (RFC 6238, an authenticator app) and single-use recovery codes. No Flask."""
from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console.accounts.models import RecoveryCode
from console.audit import api as audit
from console.errors import N_, DomainError
from console.tenants.models import ConsoleUser, utcnow

ISSUER = "Console Pass Numérique"
RECOVERY_CODES = 10
STEP_SECONDS = 30
#: One step either side: a phone's clock a little off still works.
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// address the QR code holds."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def enabled(user: ConsoleUser) -> bool:
    return bool(user.totp_secret and user.totp_enabled_at)


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code is ``code`` (within the drift), if any."""
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    digits = (code or "").replace(" ", "")
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), digits):
            return step
    return None


def _accept_code(user: ConsoleUser, secret: str, code: str, now: float | None) -> bool:
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False  # wrong, or already used: a code seen over a shoulder cannot be replayed
    user.totp_last_step = step
    return True


def enrol(session: Session, user: ConsoleUser, secret: str, code: str, now: float | None = None) -> list[str]:
    """Confirm enrolment with a first code from the app; returns the recovery codes (shown once)."""
    if not _accept_code(user, secret, code, now):
        raise DomainError(N_("This code is not the one your application shows now."), rule="totp", field="code")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    codes = new_recovery_codes(session, user)
    audit.record(session, "second_factor.enable", user, {"username": user.username}, actor=user)
    return codes


def new_recovery_codes(session: Session, user: ConsoleUser) -> list[str]:
    """Replace the user's recovery codes by new ones (returned in clear, stored hashed)."""
    session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                    .values(used_at=utcnow()))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    session.flush()
    return codes


def verify(session: Session, user: ConsoleUser, code: str, now: float | None = None) -> bool:
    """A current TOTP code, or an unused recovery code (then used up)."""
    if not enabled(user) or not code:
        return False
    if _accept_code(user, user.totp_secret, code, now):
        session.flush()
        return True
    used = session.execute(update(RecoveryCode)
                           .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
                                  RecoveryCode.used_at.is_(None))
                           .values(used_at=utcnow())).rowcount
    return used == 1


def recovery_codes_left(session: Session, user: ConsoleUser) -> int:
    return len(session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                             RecoveryCode.used_at.is_(None))).all())
