"""The Exports page: ask for an Excel export, follow its progress, download it once complete, retry it."""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Optional

from flask import abort, flash, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale, gettext
from sqlalchemy import select

from console import inputs, jobs
from console.errors import N_, DomainError
from console.extensions import db
from console.money.dates import paris_day
from console.i18n import format_label
from console.reports import api as reports_api
from console.reports import schedule
from console.reports.access import allowed_kinds
from console.reports.jobs import progress_key, start
from console.reports.models import Export, ExportKind, ExportStatus, ReportSubscription
from console.tenants.context import current_scope
from console.tenants.models import utcnow
from console.views.choices import collectivite_picker

KIND_ORDER = [ExportKind.summary, ExportKind.reimbursements, ExportKind.cheques, ExportKind.complaints,
              ExportKind.partners, ExportKind.audit]
LIST_LIMIT = 50


#: What a date that could not be read is told (the form's fields say it the same way).
BAD_DATE = N_("\"%(value)s\" is not a date: type it as DD/MM/YYYY, e.g. 31/01/2027.")


def parse_day(name: str) -> Optional[date]:
    """A date field of the form (DD/MM/YYYY, or ISO), or a DomainError naming it."""
    text = (request.form.get(name) or "").strip()
    if not text:
        return None
    value = inputs.day(text)
    if value is None:
        raise DomainError(BAD_DATE, rule="date", field=name, value=text)
    return value


def query_day(name: str, default: Optional[date] = None) -> Optional[date]:
    """A date of a filter in the URL (DD/MM/YYYY, or ISO as older links have it); a date that cannot be
    read is said, and ``default`` used instead."""
    text = (request.args.get(name) or "").strip()
    value = inputs.day(text) if text else None
    if text and value is None:
        flash(gettext(BAD_DATE, value=text), "warning")
    return value or default


def parse_collectivite() -> Optional[int]:
    """The collectivité an operator picked ("" for all); other users' choice is ignored (it is theirs)."""
    text = (request.form.get("collectivite") or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise DomainError(N_("Unknown collectivité."), rule="tenant", field="collectivite")
    return int(text)


def export_state(export: Export) -> dict[str, Any]:
    """What the page shows of an export, live progress included (JSON for the progress bar)."""
    done, total = export.rows_done, export.rows_total
    if export.status in (ExportStatus.queued, ExportStatus.running):
        live = jobs.get_progress(progress_key(export.id))
        if live is not None:
            done, total = live
    percent = 100 if export.status is ExportStatus.done else (min(99, done * 100 // total) if total else 0)
    return {
        "id": export.id,
        "status": export.status.value,
        "status_label": format_label(export.status),
        "rows_done": done,
        "rows_total": total,
        "percent": percent,
        "error": export.error,
        "download_url": url_for("ExportView.download", pk=export.id) if export.status is ExportStatus.done else None,
    }


class ExportView(BaseView):
    """The current user's exports; another user's export is a 404, whatever its collectivité."""

    route_base = "/exports"
    class_permission_name = "Export"
    default_view = "list"
    base_permissions = ["can_list", "can_create", "can_download"]
    method_permission_name = {"list": "list", "progress": "list", "create": "create", "retry": "create",
                              "download": "download"}

    @expose("/")
    @has_access
    def list(self):
        if reports_api.expire_exports(db.session):
            db.session.commit()  # only then: a commit expires the loaded user, read again by the next line
        user = g.user
        exports = db.session.execute(
            reports_api.visible_exports(user).order_by(Export.created_at.desc(), Export.id.desc()).limit(LIST_LIMIT)
        ).scalars().all()
        kinds = [kind for kind in KIND_ORDER if kind in allowed_kinds(user.role_names)]
        # Operators pick one collectivité by name (a hundred: no drop-down of them all), or all.
        picker = collectivite_picker(None, gettext("All collectivités")) if user.collectivite_id is None else None
        today = paris_day(utcnow())  # the server's day in Paris, not the machine's
        return self.render_template(
            "reports/exports.html", exports=[(export, export_state(export)) for export in exports],
            kinds=[(kind.value, format_label(kind)) for kind in kinds],
            collectivite_picker=picker, default_start=today.replace(month=1, day=1), default_end=today,
        )

    @expose("/new", methods=["POST"])
    @has_access
    def create(self):
        try:
            kind = ExportKind(request.form.get("kind", ""))
        except ValueError:
            flash(gettext("Choose what to export."), "danger")
            return redirect(url_for("ExportView.list"))
        try:
            export = reports_api.request_export(
                db.session, g.user, kind, collectivite_id=parse_collectivite(),
                period_start=parse_day("period_start"), period_end=parse_day("period_end"),
                language=str(get_locale() or "fr"),
            )
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "danger")
            return redirect(url_for("ExportView.list"))
        db.session.commit()
        start(export)
        flash(gettext("Your export is being prepared: it can be downloaded from this page once complete."), "info")
        return redirect(url_for("ExportView.list"))

    @expose("/<int:pk>/progress")
    @has_access
    def progress(self, pk: int):
        try:
            export = reports_api.get_export(db.session, g.user, pk)
        except DomainError as error:
            return jsonify(message=str(error)), error.status
        return jsonify(export_state(export))

    @expose("/<int:pk>/retry", methods=["POST"])
    @has_access
    def retry(self, pk: int):
        try:
            export = reports_api.retry_export(db.session, g.user, pk)
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                abort(404)
            flash(str(error), "danger")
            return redirect(url_for("ExportView.list"))
        db.session.commit()
        start(export)
        flash(gettext("The export was queued again."), "info")
        return redirect(url_for("ExportView.list"))

    @expose("/<int:pk>/download")
    @has_access
    def download(self, pk: int):
        try:
            export = reports_api.get_export(db.session, g.user, pk)
            path = reports_api.download_path(export)
        except DomainError as error:
            abort(error.status, description=str(error))
        reports_api.record_download(db.session, g.user, export)
        db.session.commit()
        name = f"{format_label(export.kind)} {export.finished_at:%Y-%m-%d} {export.id}.xlsx"
        return send_file(path, as_attachment=True, download_name=name,
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class ReportSubscriptionView(BaseView):
    """Correspondents subscribe the élus of their collectivité to the monthly summary workbook."""

    route_base = "/report-subscriptions"
    class_permission_name = "ReportSubscription"
    default_view = "list"
    base_permissions = ["can_list", "can_edit"]
    method_permission_name = {"list": "list", "subscribe": "edit", "unsubscribe": "edit"}

    @expose("/")
    @has_access
    def list(self):
        scope = current_scope()
        subscriptions = {
            row.user_id: row for row in db.session.execute(select(ReportSubscription)).scalars()
        }
        return self.render_template("reports/subscriptions.html", officials=schedule.officials(db.session, scope),
                                    subscriptions=subscriptions)

    @expose("/subscribe/<int:user_id>", methods=["POST"])
    @has_access
    def subscribe(self, user_id: int):
        return self._change(lambda: schedule.subscribe(db.session, current_scope(), g.user, user_id))

    @expose("/unsubscribe/<int:pk>", methods=["POST"])
    @has_access
    def unsubscribe(self, pk: int):
        return self._change(lambda: schedule.unsubscribe(db.session, pk))

    def _change(self, change: Callable[[], Any]):
        try:
            change()
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                abort(404)
            flash(str(error), "danger")
        else:
            db.session.commit()
        return redirect(url_for("ReportSubscriptionView.list"))
