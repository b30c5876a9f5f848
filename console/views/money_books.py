"""Money books: chéquiers issued to prescripteurs, every cheque (read only), versioned fee schedules.

FAB model views; their writes go through ``console.money.api`` in the FAB hooks.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy.orm import joinedload
from wtforms import Field
from wtforms.validators import DataRequired, InputRequired, Length

from console.errors import DomainError
from console.extensions import db
from console.forms import FrenchDecimalField
from console.money import api as money_api
from console.money.models import Cheque, Chequier, FeeSchedule, Prescripteur
from console.partners.models import Partner
from console.views.base import READ_ONLY, TenantModelView, attempt, flash_error
from console.views.choices import RemoteSelectWidget
from console.views.lists import ScaledInterface
from console.views.reports import parse_day
from console.views.money import today


def rolled_back(check: Callable[[], Any]) -> None:
    """Run a domain check in a FAB hook; on refusal undo the form's changes already applied to the row."""
    try:
        check()
    except DomainError:
        db.session.rollback()  # FAB flashes the error but leaves the populated row dirty in the session
        raise


class ChequierView(TenantModelView):
    """Chéquiers issued to prescripteurs; adding one creates its 10 cheques."""

    datamodel = ScaledInterface(Chequier)
    class_permission_name = "Chequier"
    list_title = _l("Chéquiers")
    show_title = _l("Chéquier")
    add_title = _l("Issue a chéquier")
    edit_title = _l("Distribution of the chéquier")
    label_columns = {"number": _l("Number"), "prescripteur": _l("Prescripteur"), "issued_on": _l("Issued on"),
                     "issued_to": _l("Authorised prescripteur"),
                     "validity_date": _l("Validity date"), "distributed_on": _l("Distributed on"),
                     "status": _l("Status"), "collectivite": _l("Collectivité"), "cheques": _l("Cheques")}
    list_columns = ["number", "prescripteur", "issued_on", "validity_date", "status", "distributed_on",
                    "collectivite"]
    show_columns = list_columns + ["cheques"]
    add_columns = ["number", "issued_to", "issued_on", "validity_date", "collectivite"]
    edit_columns = ["status", "distributed_on"]
    search_columns = ["number", "prescripteur", "status", "issued_on", "validity_date"]
    order_columns = ["number", "issued_on"]  # each served by an index (migration 0012), the id last
    base_order = ("issued_on", "desc")
    # Only the collectivité's authorised prescripteurs still active (the tenancy hook keeps them its own).
    add_form_query_rel_fields = {"issued_to": [["active", FilterEqual, True]]}
    show_template = "money/chequier_show.html"
    method_permission_name = {"distribute": "edit"}  # a correspondent who may edit the chéquier

    def pre_add(self, item: Chequier) -> None:
        money_api.issue_chequier(db.session, item)

    def pre_update(self, item: Chequier) -> None:
        rolled_back(lambda: money_api.edit_chequier(db.session, item, today()))

    @expose("/distribute/<int:pk>", methods=["POST"])
    @has_access
    def distribute(self, pk: int):
        """Hand some of the chéquier's cheques to a citizen, cheque by cheque."""
        outcome = attempt(lambda: money_api.distribute_cheques(
            db.session, pk, request.form.get("cheques", ""), parse_day("distributed_on") or today(), today()))
        if isinstance(outcome, DomainError):
            flash_error(outcome)
        else:
            flash(gettext("%(count)s cheques distributed.", count=len(outcome)), "success")
        return redirect(url_for("ChequierView.show", pk=pk))


class PrescripteurView(TenantModelView):
    """The prescripteurs the collectivité authorises to hand out chéquiers; deactivated, never deleted."""

    datamodel = ScaledInterface(Prescripteur)
    class_permission_name = "Prescripteur"
    list_title = _l("Authorised prescripteurs")
    show_title = _l("Authorised prescripteur")
    add_title = _l("Authorise a prescripteur")
    edit_title = _l("Edit an authorised prescripteur")
    label_columns = {"name": _l("Name"), "active": _l("Active"), "collectivite": _l("Collectivité"),
                     "created_at": _l("Created on")}
    list_columns = ["name", "active", "collectivite"]
    show_columns = list_columns + ["created_at"]
    add_columns = ["name", "collectivite"]
    edit_columns = ["name", "active"]
    search_columns = ["name", "active"]
    base_order = ("name", "asc")
    validators_columns = {"name": [DataRequired(), Length(max=200)]}

    def pre_add(self, item: Prescripteur) -> None:
        money_api.add_prescripteur(db.session, item)

    def pre_update(self, item: Prescripteur) -> None:
        money_api.edit_prescripteur(db.session, item)


class ChequeView(TenantModelView):
    """Every cheque of the collectivité, its state and the partner that accepted it (read only)."""

    # The partner's name and identifier with the page; its collectivité is the cheque's, already joined.
    datamodel = ScaledInterface(Cheque, eager=[joinedload(Cheque.partner).load_only(
        Partner.id, Partner.name, Partner.identifier).lazyload(Partner.collectivite)])
    class_permission_name = "Cheque"
    base_permissions = READ_ONLY
    list_title = _l("Cheques")
    show_title = _l("Cheque")
    label_columns = {"number": _l("Number"), "face_value": _l("Face value"), "validity_date": _l("Validity date"),
                     "chequier": _l("Chéquier"), "prescripteur": _l("Prescripteur"), "partner": _l("Partner"),
                     "accepted_on": _l("Accepted on"), "status": _l("Status"), "collectivite": _l("Collectivité"),
                     "distributed_on": _l("Distributed on"), "accepted_at": _l("Recorded at"),
                     "accepted_late_justification": _l("Late paper entry")}
    list_columns = ["number", "face_value", "validity_date", "status", "partner", "accepted_on", "collectivite"]
    show_columns = ["number", "face_value", "validity_date", "chequier", "prescripteur", "distributed_on", "status",
                    "partner", "accepted_on", "accepted_at", "accepted_late_justification", "collectivite"]
    search_columns = ["number", "status", "partner", "validity_date", "accepted_on", "prescripteur"]
    # Thousands of partners: the filter searches as the user types instead of listing them all.
    search_form_extra_fields = {"partner": Field(_l("Partner"),
                                                 widget=RemoteSelectWidget("PartnerChoicesView.search"))}
    order_columns = ["number", "accepted_on"]  # each served by an index (migration 0012), the id last
    base_order = ("number", "asc")


class FeeScheduleView(TenantModelView):
    """Versioned fee schedules: a used version cannot be changed, a new version supersedes it."""

    datamodel = ScaledInterface(FeeSchedule)
    class_permission_name = "FeeSchedule"
    list_title = _l("Fee schedules")
    show_title = _l("Fee schedule")
    add_title = _l("New fee schedule version")
    edit_title = _l("Edit an unused fee schedule")
    label_columns = {"version": _l("Version"), "effective_from": _l("Effective from"), "rate": _l("Rate (%)"),
                     "fixed": _l("Fixed fee per cheque (EUR)"), "note": _l("Note"), "collectivite": _l("Collectivité"),
                     "created_at": _l("Created on")}
    list_columns = ["version", "effective_from", "rate", "fixed", "note", "collectivite"]
    show_columns = list_columns + ["created_at"]
    add_columns = ["effective_from", "rate", "fixed", "note", "collectivite"]
    edit_columns = ["effective_from", "rate", "fixed", "note"]
    search_columns = ["version", "effective_from", "rate", "fixed", "note"]
    base_order = ("effective_from", "desc")
    # Exactly what is stored and prices the cheques: rate up to 3 decimals, fixed fee in cents (money.rules).
    add_form_extra_fields = edit_form_extra_fields = {
        "rate": FrenchDecimalField(_l("Rate (%)"), validators=[InputRequired()],
                                   description=_l("Percent of the cheque value, at most three decimals (0,149).")),
        "fixed": FrenchDecimalField(_l("Fixed fee per cheque (EUR)"), validators=[InputRequired()],
                                    description=_l("In euros and cents (0,10).")),
    }

    def pre_add(self, item: FeeSchedule) -> None:
        money_api.add_fee_schedule(db.session, item)

    def pre_update(self, item: FeeSchedule) -> None:
        rolled_back(lambda: money_api.edit_fee_schedule(db.session, item))

    def _get_list_widget(self, *args: Any, **kwargs: Any) -> dict:
        """No edit button on a version already used: saving it would be refused."""
        widgets = super()._get_list_widget(*args, **kwargs)
        arguments = widgets["list"].template_args
        arguments["locked"] = money_api.used_schedules(db.session, arguments["pks"])
        return widgets
