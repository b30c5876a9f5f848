"""Search-as-you-type choices for drop-downs whose rows can number hundreds or thousands (partners, paid
requests, the operator's collectivités).

A form or filter never lists every partner: its ``<select data-choices-url>``
(console/static/js/choices.js, Select2) asks these endpoints for the rows
matching what the user types. They read through the ORM, so the tenancy hook
restricts them to the user's collectivité; each partner or request search is
an audited look-up (in the look-up log) like every partner look-up (a search of
collectivités by name reads nothing of a collectivité's own, like its list). Flask-AppBuilder's own AJAX pieces do
not fit: ``ModelRestApi``'s ``related`` endpoint needs a JWT (the console's
APIs refuse the browser session), and ``Select2AJAXWidget`` renders an
``<input>`` for Select2 3, not the Select2 4 that FAB ships.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from flask import g, jsonify, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import Field

from console.errors import DomainError
from console.extensions import db
from console.money.models import ReimbursementRequest, RequestStatus
from console.partners import lookup
from console.partners.models import Partner, PartnerStatus
from console.tenants.models import Collectivite
from console.tenants.scoping import get_scoped

MAX_CHOICES = 20


def partner_text(partner: Any) -> str:
    return f"{partner.name} ({partner.identifier})"


def request_text(item: ReimbursementRequest) -> str:
    return f"{item.reference} — {item.partner.name}"


class PartnerChoicesView(BaseView):
    """Partners as JSON choices in Select2's format: ``{"results": [{"id": 1, "text": "…"}]}``."""

    route_base = "/choices/partners"
    class_permission_name = "Partner"  # whoever may list partners
    method_permission_name = {"search": "list"}
    base_permissions = ["can_list"]

    @expose("/")
    @has_access
    def search(self):
        """Partners matching ``q`` like the look-up (name, identifier, SIRET…); ``approved=1``: approved only."""
        try:
            found = lookup.search(db.session, request.args.get("q"), g.user, channel="choice")
        except DomainError:
            return jsonify(results=[])
        db.session.commit()  # the look-up's audit event
        if request.args.get("approved"):
            found = [row for row in found if row.status is PartnerStatus.approved]
        return jsonify(results=[{"id": row.id, "text": partner_text(row)} for row in found[:MAX_CHOICES]])

class PaidRequestChoicesView(BaseView):
    """Paid requests as JSON choices, for whoever records complaints."""

    route_base = "/choices/paid-requests"
    class_permission_name = "Complaint"
    method_permission_name = {"search": "record"}
    base_permissions = ["can_record"]

    @expose("/")
    @has_access
    def search(self):
        """Paid requests whose reference (RB-…) or partner (name, identifier, SIRET…) matches ``q``, latest first."""
        text = (request.args.get("q") or "").strip()
        if len(text) < lookup.MIN_LENGTH:
            return jsonify(results=[])
        digits = re.sub(r"\D", "", text)
        statement = (select(ReimbursementRequest).join(ReimbursementRequest.partner)
                     .options(joinedload(ReimbursementRequest.partner))
                     .where(ReimbursementRequest.status == RequestStatus.paid)
                     .order_by(ReimbursementRequest.paid_on.desc(), ReimbursementRequest.id.desc())
                     .limit(MAX_CHOICES))
        if text.upper().startswith("RB-") or text.isdigit():
            statement = statement.where(ReimbursementRequest.id == int(digits or 0))
        else:
            statement = statement.where(lookup.criterion(text))  # the partner, as the look-up finds it
        rows = db.session.scalars(statement).all()
        lookup.audit(db.session, g.user, text, "choice", [row.reference for row in rows])
        db.session.commit()
        return jsonify(results=[{"id": row.id, "text": request_text(row)} for row in rows])


class CollectiviteChoicesView(BaseView):
    """Collectivités whose name holds ``q``, for the filters of the lists that name them (an operator's hundred
    collectivités; a collectivité's user finds only its own)."""

    route_base = "/choices/collectivites"
    class_permission_name = "Partner"  # the partner list's filter; users' lists are the operator's
    method_permission_name = {"search": "list"}
    base_permissions = ["can_list"]

    @expose("/")
    @has_access
    def search(self):
        text = (request.args.get("q") or "").strip()[:100]
        statement = (select(Collectivite).where(Collectivite.name.icontains(text, autoescape=True))
                     .order_by(Collectivite.name, Collectivite.id).limit(MAX_CHOICES))
        return jsonify(results=[{"id": row.id, "text": row.name} for row in db.session.scalars(statement)])


def remote_select(name: str, endpoint: str, selected: Any = None, text: Callable[[Any], str] = partner_text,
                  required: bool = False, placeholder: str = "", **params: Any) -> Markup:
    """A ``<select>`` filled as the user types, holding only the row already chosen (if any); ``placeholder``
    reads while nothing is chosen."""
    option = (f'<option value="{selected.id}" selected>{escape(text(selected))}</option>' if selected is not None
              else '<option value=""></option>')
    shown = f' data-placeholder="{escape(placeholder)}"' if placeholder else ""
    return Markup(f'<select name="{escape(name)}" class="form-control choices-select"'
                  f' data-choices-url="{escape(url_for(endpoint, **params))}"{" required" if required else ""}'
                  f'{shown}>{option}</select>')


def chosen(model: type, pk: Any, *options: Any) -> Any:
    """The row a form or filter already names, if the user may see it (else None)."""
    if pk in (None, ""):
        return None
    try:
        return get_scoped(db.session, model, pk, options=options)
    except DomainError:
        return None


class RemoteSelectWidget:
    """WTForms widget of a relation filter of a FAB list: the chosen partner only, the rest by search."""

    def __init__(self, endpoint: str, model: type = Partner, text: Callable[[Any], str] = partner_text) -> None:
        self.endpoint, self.model, self.text = endpoint, model, text

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        # FAB's filters arrive as ?_flt_<n>_<column>=<id>: show the one already applied.
        value = next((v for k, v in request.args.items() if k.startswith("_flt_") and k.endswith("_" + field.name)),
                     None)
        return remote_select(field.name, self.endpoint, chosen(self.model, value), self.text)


def collectivite_text(row: Collectivite) -> str:
    return row.name


def collectivite_picker(picked: Any, placeholder: str) -> Markup:
    """An operator's choice of one collectivité (``collectivite``) among a hundred, by name; empty: all."""
    return remote_select("collectivite", "CollectiviteChoicesView.search", chosen(Collectivite, picked),
                         collectivite_text, placeholder=placeholder)


def collectivite_filter() -> Any:
    """A list's collectivité filter searching as the user types (an operator has a hundred collectivités)."""
    return Field(lazy_gettext("Collectivité"),
                 widget=RemoteSelectWidget("CollectiviteChoicesView.search", Collectivite, collectivite_text))
