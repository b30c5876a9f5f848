"""« Importer des chéquiers »: upload a CSV or Excel file, follow its job, read its report, get the template."""
from __future__ import annotations

import io
import os
import secrets
from typing import Any

from flask import Response, abort, current_app, flash, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import format_decimal, get_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from console import jobs
from console.errors import N_, DomainError
from console.extensions import db
from console.i18n import format_label
from console.money.imports import api as import_api
from console.money.imports import files, sheets
from console.money.imports.jobs import progress_key, start
from console.money.imports.models import ChequierImport
from console.tenants.models import Collectivite
from console.tenants.scoping import get_scoped
from console.views.reports import parse_collectivite

LIST_LIMIT = 50
SHOWN_ERRORS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_state(imported: ChequierImport) -> dict[str, Any]:
    """What the page shows of an import, live progress included (JSON for the progress bar)."""
    percent = 100 if imported.finished else 0
    if not imported.finished:
        live = jobs.get_progress(progress_key(imported.id))
        if live is not None and live[1]:
            percent = min(99, live[0] * 100 // live[1])
    return {"id": imported.id, "status": imported.status.value, "status_label": format_label(imported.status),
            "finished": imported.finished, "percent": percent, "rows_total": imported.rows_total,
            "rows_written": imported.rows_written, "rows_invalid": imported.rows_invalid, "error": imported.error}


def _upload() -> tuple[str, bytes]:
    """The uploaded file's name and content, refused beyond the size cap before anything is kept."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError(N_("Choose the file to import."), rule="import_file", field="file")
    try:
        data = upload.stream.read(files.MAX_BYTES + 1)
    finally:
        upload.close()  # a big upload is spooled to a temporary file
    files.check_size(len(data))
    return os.path.basename(upload.filename.replace("\\", "/"))[:200], data


class ChequierImportView(BaseView):
    """The imports of the user's collectivité (an operator's: every collectivité's); another's is a 404."""

    route_base = "/chequier-import"
    class_permission_name = "ChequierImport"
    default_view = "list"
    base_permissions = ["can_list", "can_create"]
    method_permission_name = {"list": "list", "show": "list", "progress": "list", "report": "list",
                              "template": "list", "create": "create"}

    @expose("/")
    @has_access
    def list(self):
        imports = db.session.scalars(
            select(ChequierImport).options(joinedload(ChequierImport.user))  # the list names who imported
            .order_by(ChequierImport.created_at.desc(), ChequierImport.id.desc()).limit(LIST_LIMIT)).unique().all()
        collectivites = []
        if g.user.collectivite_id is None:  # operators choose the collectivité explicitly
            collectivites = db.session.scalars(select(Collectivite).where(Collectivite.active)
                                               .order_by(Collectivite.name, Collectivite.id)).all()
        return self.render_template("money/chequier_import.html", collectivites=collectivites,
                                    imports=[(row, import_state(row)) for row in imports],
                                    max_rows=format_decimal(files.MAX_ROWS), sync_rows=format_decimal(import_api.SYNC_ROWS),
                                    max_mb=files.MAX_BYTES // (1024 * 1024))

    @expose("/new", methods=["POST"])
    @has_access
    def create(self):
        try:
            collectivite_id = import_api.collectivite_of(g.user, parse_collectivite())
            filename, data = _upload()
            folder = current_app.config["CONSOLE_EXPORT_DIR"]
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, f"import-{secrets.token_hex(12)}.{'xlsx' if files.is_xlsx(data) else 'csv'}")
            imported = import_api.create_import(db.session, g.user, collectivite_id, filename, path,
                                                request.form.get("valid_rows_only") == "1",
                                                str(get_locale() or "fr"))
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "danger")
            return redirect(url_for("ChequierImportView.list"))
        with open(path, "wb") as kept:
            kept.write(data)
        db.session.commit()
        start(imported, files.estimated_rows(data))
        return redirect(url_for("ChequierImportView.show", pk=imported.id))

    def _get(self, pk: int) -> ChequierImport:
        try:
            return get_scoped(db.session, ChequierImport, pk)
        except DomainError:
            abort(404)

    @expose("/<int:pk>")
    @has_access
    def show(self, pk: int):
        imported = self._get(pk)
        return self.render_template("money/chequier_import_show.html", imported=imported,
                                    state=import_state(imported), errors=imported.errors[:SHOWN_ERRORS],
                                    shown=min(len(imported.errors), SHOWN_ERRORS), limit=import_api.REPORT_LIMIT)

    @expose("/<int:pk>/progress")
    @has_access
    def progress(self, pk: int):
        return jsonify(import_state(self._get(pk)))

    @expose("/<int:pk>/download")  # the report: files are served under /download, pages elsewhere
    @has_access
    def report(self, pk: int):
        imported = self._get(pk)
        name = gettext("Chéquier import report %(number)s", number=imported.id) + ".xlsx"
        return _attachment(sheets.report(imported.errors), name)

    @expose("/download/template")
    @has_access
    def template(self):
        return _attachment(sheets.template(), gettext("Chéquiers template") + ".xlsx")


def _attachment(data: bytes, name: str) -> Response:
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
