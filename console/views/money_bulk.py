"""Bulk decisions on the reimbursement follow-up: validate the ticked requests, put them in a payment batch,
mark a batch paid — each after a page listing what will happen to each request (``views.bulk``)."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext

from console.extensions import db
from console.i18n import format_day, format_money
from console.money import api as money_api, bulk as money_bulk, rules as money_rules
from console.selection import Outcome, selected_ids
from console.views.bulk import bulk_page, confirmed, line, run_bulk
from console.views.money import today, user_id
from console.views.reports import parse_day


def _ids() -> list[int]:
    return selected_ids(request.form.getlist("request"))


def _lines(outcomes: list[Outcome], effect: str) -> list[dict]:
    return [line(o, o.row.reference, url_for("ReimbursementsView.show", pk=o.row.id),
                 f"{o.row.partner.name} · {format_money(o.row.net)}", effect) for o in outcomes]


def _back() -> str:
    return url_for("ReimbursementsView.list")


class BulkDecisionsView(BaseView):
    """The follow-up's bulk actions (same permissions as the one-by-one actions)."""

    route_base = "/reimbursements"
    class_permission_name = "Reimbursement"
    method_permission_name = {"validate": "validate", "add_to_batch": "pay", "pay_batch": "pay"}

    @expose("/bulk/validate", methods=["POST"])
    @has_access
    def validate(self):
        if not confirmed():
            outcomes = run_bulk(lambda: money_bulk.validation_preview(db.session, _ids()))
            effect = gettext("Will be validated with all its cheques; payment due on %(day)s.",
                             day=format_day(money_rules.payment_due_date(today())))
        else:
            outcomes = run_bulk(lambda: money_bulk.validate_many(db.session, _ids(), today(), user_id()))
            effect = gettext("Validated.")
        if outcomes is None:
            return redirect(_back())
        return bulk_page(self, title=gettext("Validate the ticked requests"), lines=_lines(outcomes, effect),
                         done=confirmed(), action=url_for(".validate"), ids=[o.row.id for o in outcomes],
                         back=_back())

    @expose("/batches/add", methods=["POST"])
    @has_access
    def add_to_batch(self):
        payment_date = parse_day("payment_date") or today()
        if not confirmed():
            outcomes = run_bulk(lambda: money_bulk.batch_preview(db.session, _ids()))
            effect = gettext("Will go into the payment batch of %(day)s.", day=format_day(payment_date))
        else:
            result = run_bulk(lambda: money_bulk.batch_many(db.session, _ids(), payment_date, user_id()))
            outcomes = result[1] if result else None
            effect = gettext("Added to the payment batch of %(day)s.", day=format_day(payment_date))
        if outcomes is None:
            return redirect(_back())
        return bulk_page(self, title=gettext("Add the ticked requests to a payment batch"),
                         lines=_lines(outcomes, effect), done=confirmed(), action=url_for(".add_to_batch"),
                         ids=[o.row.id for o in outcomes], fields={"payment_date": payment_date.isoformat()},
                         back=url_for("ReimbursementsView.batches"))

    @expose("/batches/<int:pk>/pay", methods=["POST"])
    @has_access
    def pay_batch(self, pk: int):
        paid_on, reference = parse_day("paid_on") or today(), request.form.get("transfer_reference", "")
        back = url_for("ReimbursementsView.batch", pk=pk)
        if confirmed():
            paid = run_bulk(lambda: money_api.pay_batch(db.session, pk, paid_on, reference, today(), user_id()))
            if paid is None:
                return redirect(back)
            outcomes = [Outcome(r) for r in sorted(paid.requests, key=lambda r: r.id)]
            effect = gettext("Paid on %(day)s, transfer %(reference)s.", day=format_day(paid_on),
                             reference=paid.transfer_reference)
        else:
            preview = run_bulk(lambda: money_bulk.payment_preview(db.session, pk, paid_on, today()))
            if preview is None:
                return redirect(back)
            outcomes = preview[1]
            effect = gettext("Will be recorded paid on %(day)s.", day=format_day(paid_on))
        refused = any(not o.accepted for o in outcomes)
        return bulk_page(self, title=gettext("Mark the payment batch paid"), lines=_lines(outcomes, effect),
                         done=confirmed(), action=url_for(".pay_batch", pk=pk),
                         fields={"paid_on": paid_on.isoformat(), "transfer_reference": reference},
                         blocked=gettext("A batch is one bank order, paid whole: it cannot be marked paid while one"
                                         " of its requests is refused.") if refused else None, back=back)
