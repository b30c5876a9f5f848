"""Bulk approval of the ticked affiliation requests checked by the operator: ``approval_preview`` says what
would happen to each (writing nothing), ``approve_many`` takes each step through the workflow's one door
(``partners.api.move``: audited, the partner told by e-mail). The caller commits once (``console.selection``)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from console.partners import api as partners_api
from console.partners.models import Partner, TransitionAction
from console.selection import Outcome, each, selected_rows
from console.tenants.models import ConsoleUser


def _identifier(partner: Partner) -> str:
    return partner.identifier


def approval_preview(session: Session, ids: list[int], actor: ConsoleUser) -> list[Outcome[Partner]]:
    """What approving each ticked partner would do: approved, or refused by which rule."""
    return each(selected_rows(session, Partner, ids),
                lambda p: partners_api.check_move(session, p, TransitionAction.approve, actor), _identifier)


def approve_many(session: Session, ids: list[int], actor: ConsoleUser) -> list[Outcome[Partner]]:
    """Approve each ticked partner the workflow allows, each approval its own audited step."""
    return each(selected_rows(session, Partner, ids),
                lambda p: partners_api.move(session, p.id, TransitionAction.approve, actor), _identifier)
