"""Rows of the accounts package: single-use password links."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from console.tenants.models import user_fk, utcnow


class PasswordLink(Model):
    """A link e-mailed to choose a password: only its token's SHA-256 is kept."""

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk(), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "reset" (« Mot de passe oublié ? ») or "welcome" (an account opened by someone else).
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    # Set when a newer link was sent or the password was chosen another way.
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)


class UserSession(Model):
    """One signed-in session (web cookie or JWT pair): ended by logout, by time, or by a newer session version."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk(), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # "web" or "api"
    # The user's session_version when it opened; a bump of the user's ends it.
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)


class RecoveryCode(Model):
    """A single-use code that replaces the second factor once (a lost phone); only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk(), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
