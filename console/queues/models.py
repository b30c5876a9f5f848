"""The daily digest: who switched it off, and which digest each correspondent was sent on which day."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from console.tenants.models import user_fk, utcnow


class DigestSetting(Model):
    """A user's choice about the daily digest e-mail (no row: the default, switched on)."""

    __tablename__ = "digest_setting"

    user_id: Mapped[int] = mapped_column(user_fk(), primary_key=True)
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DailyDigest(Model):
    """One digest sent to one user for one Europe/Paris day: a second run the same day finds it and sends none."""

    __tablename__ = "daily_digest"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_daily_digest_user_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk())
    collectivite_id: Mapped[Optional[int]] = mapped_column(ForeignKey("collectivite.id"), nullable=True, index=True)
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # queue key -> count, as e-mailed
