"""The work queues of the home page: what waits for each role, as the criteria of the rows it holds.

A queue is a set of rows of one model (requests, partners, complaints, collectivités); its count on the
home page and the list its link opens (``?queue=<key>``) apply the very same criteria, so they cannot
differ. Tenant scoping is the session hook's (``tenants.scoping``): nothing here names a collectivité.
No Flask: the views give the user and the server's day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Optional

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from console.complaints.models import Complaint, ComplaintStatus
from console.config import ROLE_CORRESPONDENT, ROLE_OPERATOR
from console.errors import N_
from console.money.models import PartnerBlock, ReimbursementRequest, RequestStatus
from console.partners.models import Partner, PartnerStatus, RibChangeRequest, RibChangeStatus
from console.queues import rules
from console.tenants.models import Collectivite

OPEN_COMPLAINTS = (ComplaintStatus.received, ComplaintStatus.under_review)


@dataclass(frozen=True)
class Context:
    """Who looks (the four-eyes rule needs it) and the server's Europe/Paris day."""

    user_id: Optional[int]
    today: date


@dataclass(frozen=True)
class Queue:
    """One queue: its rows' model and criteria, the list that shows them, the roles that see it."""

    key: str
    title: str  # untranslated (N_)
    model: type
    criteria: Callable[[Context], list[Any]]
    path: str  # the list the link opens, with ``?queue=<key>`` (the page and the e-mailed digest alike)
    roles: frozenset[str]
    urgent: bool = False  # overdue or about to close: what the daily digest e-mails about

    @property
    def link(self) -> str:
        """The list filtered to this queue, from the console's root."""
        return f"{self.path}?queue={self.key}"

    def statement(self, context: Context) -> Select:
        """The queue's rows (the list orders them; a count ignores the order)."""
        return select(self.model).where(*self.criteria(context))


def _rib_to_confirm(context: Context) -> list[Any]:
    # Four eyes: a change recorded by this user waits for someone else, not for them.
    return [exists().where(RibChangeRequest.partner_id == Partner.id,
                           RibChangeRequest.status == RibChangeStatus.pending,
                           RibChangeRequest.requested_by_id != context.user_id)]


def _validated_unpaid() -> list[Any]:
    return [ReimbursementRequest.status == RequestStatus.validated]


def _overdue(context: Context) -> list[Any]:
    # money.rules.is_payment_overdue: unpaid after the due date (validation + 15 days).
    return _validated_unpaid() + [ReimbursementRequest.due_on < context.today]


def _due_soon(context: Context) -> list[Any]:
    return _validated_unpaid() + [ReimbursementRequest.due_on.between(
        context.today, rules.payment_due_soon_until(context.today))]


def _open_complaints(context: Context) -> list[Any]:
    return [Complaint.status.in_(OPEN_COMPLAINTS)]


def _complaints_closing(context: Context) -> list[Any]:
    return _open_complaints(context) + [Complaint.deadline.between(
        context.today, rules.complaint_closing_soon_until(context.today))]


def _collectivites_overdue(context: Context) -> list[Any]:
    return [exists().where(ReimbursementRequest.collectivite_id == Collectivite.id, *_overdue(context))]


CORRESPONDENT = frozenset({ROLE_CORRESPONDENT})
OPERATOR = frozenset({ROLE_OPERATOR})
PARTNERS, REQUESTS, COMPLAINTS = "/partnerview/list/", "/reimbursements/", "/complaints/"

QUEUES: tuple[Queue, ...] = (
    Queue("affiliations_to_decide", N_("Affiliations to decide"), Partner,
          lambda c: [Partner.status == PartnerStatus.checked], PARTNERS, CORRESPONDENT),
    Queue("ribs_to_confirm", N_("RIB changes to confirm (recorded by someone else)"), Partner, _rib_to_confirm,
          PARTNERS, CORRESPONDENT),
    Queue("requests_to_validate", N_("Reimbursement requests to validate"), ReimbursementRequest,
          lambda c: [ReimbursementRequest.status == RequestStatus.submitted], REQUESTS, CORRESPONDENT),
    Queue("validated_not_batched", N_("Validated requests not yet in a payment batch"), ReimbursementRequest,
          lambda c: _validated_unpaid() + [ReimbursementRequest.batch_id.is_(None)], REQUESTS, CORRESPONDENT),
    Queue("payments_overdue", N_("Payments overdue (more than 15 days after validation)"), ReimbursementRequest,
          _overdue, REQUESTS, CORRESPONDENT, urgent=True),
    Queue("payments_due_soon", N_("Payments due within 3 days"), ReimbursementRequest, _due_soon, REQUESTS,
          CORRESPONDENT, urgent=True),
    Queue("complaints_to_handle", N_("Complaints to handle"), Complaint, _open_complaints, COMPLAINTS,
          CORRESPONDENT),
    Queue("complaints_closing", N_("Complaints whose window closes within 7 days"), Complaint,
          _complaints_closing, COMPLAINTS, CORRESPONDENT, urgent=True),
    Queue("affiliations_to_check", N_("Affiliations to check"), Partner,
          lambda c: [Partner.status == PartnerStatus.submitted], PARTNERS, OPERATOR),
    Queue("blocks_to_review", N_("Partners whose reimbursements are blocked"), Partner,
          lambda c: [exists().where(PartnerBlock.partner_id == Partner.id, PartnerBlock.unblocked_at.is_(None))],
          PARTNERS, OPERATOR),
    Queue("collectivites_overdue", N_("Collectivités with overdue payments"), Collectivite, _collectivites_overdue,
          "/collectiviteview/list/", OPERATOR),
)
BY_KEY = {queue.key: queue for queue in QUEUES}


def for_roles(role_names: set[str] | frozenset[str]) -> list[Queue]:
    """The queues of a user's roles, in the home page's order."""
    return [queue for queue in QUEUES if queue.roles & set(role_names)]


def count(session: Session, queue: Queue, context: Context, limit: int = 10_000) -> int:
    """How many rows the queue holds, counting no further than ``limit`` + 1 (bounded at national scale)."""
    rows = queue.statement(context).limit(limit + 1).subquery()
    return session.scalar(select(func.count()).select_from(rows)) or 0


def criteria_for(key: str | None, model: type, context: Context) -> Optional[list[Any]]:
    """The criteria a list applies for ``?queue=<key>`` (None: no queue of this list by that name)."""
    queue = BY_KEY.get(key or "")
    if queue is None or queue.model is not model:
        return None
    return queue.criteria(context)


def urgent(role_names: set[str] | frozenset[str]) -> list[Queue]:
    """The queues the daily digest reports on."""
    return [queue for queue in for_roles(role_names) if queue.urgent]


