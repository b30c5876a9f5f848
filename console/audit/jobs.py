"""The daily anchoring job (registered with the console's periodic jobs)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from console import jobs
from console.audit import anchor
from console.config import ROLE_OPERATOR
from console.extensions import db
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import ConsoleUser
from console.tenants.scoping import UNSCOPED

CHECK_EVERY = 3600.0  # seconds: a console stopped at midnight signs the day's checkpoint when it is back


def operator_emails(session: Session) -> list[str]:
    """Where checkpoints are sent: every active operator."""
    users = session.scalars(select(ConsoleUser).where(ConsoleUser.active.is_(True)).order_by(ConsoleUser.id),
                            execution_options=UNSCOPED)
    return [user.email for user in users if ROLE_OPERATOR in user.role_names and user.email]


@jobs.periodic(CHECK_EVERY)
def daily_checkpoint(now: Optional[datetime] = None) -> bool:
    """Job: sign the Paris day's checkpoint unless one was signed since midnight in Paris; True when written."""
    from console.tenants.models import utcnow

    now = now or utcnow()
    with Session(db.engine) as session, scoped(EVERYTHING):
        if not anchor.checkpoint_due(anchor.last_checkpoint_at(session), now):
            return False
        anchor.write_checkpoint(session, current_app.config["SECRET_KEY"], operator_emails(session), now)
        session.commit()
    return True
