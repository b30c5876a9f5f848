"""Excel exports built in-process: their content equals the database, typed cells, charts, FR/EN, failures."""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from console.complaints.models import Complaint
from console.extensions import db
from console.money.models import Cheque, ReimbursementRequest, RequestStatus
from console.reports import api as reports_api
from console.reports import jobs as report_jobs
from console.reports.models import Export, ExportStatus
from console.tenants.context import only, scoped
from console.tenants.models import utcnow
from tests.conftest import csrf_token, login
from tests.reports.conftest import ask, export_and_open, last_export, table, wait
from tests.reports.dataset import PERIOD

EURO = '#,##0.00\\ "€"'


def db_sum(column, collectivite_id, *where):
    with scoped(only(collectivite_id)):
        return db.session.execute(select(func.coalesce(func.sum(column), 0)).where(*where)).scalar_one()


def test_partners_export_in_french_holds_only_own_partners_with_masked_iban(client, world, money):
    login(client, world.a.users["elected"])
    workbook = export_and_open(client, "partners")
    headers, rows = table(workbook, "Partenaires")
    assert headers[:4] == ["Identifiant", "Nom", "Statut", "Date d’affiliation"]
    assert {row["Nom"] for row in rows} == {"Médiathèque Alpha", '=HYPERLINK("http://x")', "@Association Nouvelle"}
    media = next(row for row in rows if row["Nom"] == "Médiathèque Alpha")
    assert media["Statut"] == "Partenaire approuvé"
    assert media["Date d’affiliation"] == datetime(2026, 1, 5)  # a typed date (openpyxl reads datetimes)
    assert media["IBAN (masqué)"] == "FR76 **** **** **** **** ***0 189"
    sheet = workbook["Partenaires"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:K{len(rows) + 1}"
    assert sheet["D2"].is_date and sheet["A1"].font.b
    assert workbook.properties.creator == "Alpha Test"
    filters = dict(workbook["Filtres"].iter_rows(values_only=True))
    assert filters["Collectivité"] == "Ville d'Alpha" and isinstance(filters["Généré le"], datetime)


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "@Association Nouvelle"])
def test_formula_like_partner_names_are_written_as_text(client, world, money, name):
    login(client, world.a.users["correspondent"])
    sheet = export_and_open(client, "partners")["Partenaires"]
    cells = [row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == name]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_complaint_descriptions_starting_with_minus_stay_text_and_days_left_follow_the_rule(client, world, money):
    login(client, world.a.users["correspondent"])
    headers, rows = table(export_and_open(client, "complaints"), "Réclamations")
    assert len(rows) == 2
    late = next(row for row in rows if row["Reçue le"] == datetime(2026, 4, 5))
    assert late["Hors délai"] == "Oui" and late["Date limite"] == datetime(2026, 4, 1)
    on_time = next(row for row in rows if row["Reçue le"] == datetime(2026, 2, 15))
    assert on_time["Hors délai"] == "Non" and on_time["Jours restants"] is None  # accepted: closed


def test_reimbursements_export_sums_equal_the_database_and_amounts_are_euros(client, world, money):
    login(client, world.a.users["elected"])
    workbook = export_and_open(client, "reimbursements")
    headers, rows = table(workbook, "Demandes de remboursement")
    with scoped(only(world.a.id)):
        count = db.session.scalar(select(func.count(ReimbursementRequest.id)))
    assert len(rows) == count == 3
    for column, name in ((ReimbursementRequest.gross, "Montant brut"), (ReimbursementRequest.fees, "Frais"),
                         (ReimbursementRequest.net, "Montant net")):
        assert sum(Decimal(str(row[name])) for row in rows) == db_sum(column, world.a.id)
    late = next(row for row in rows if row["Payée le"] == datetime(2026, 3, 5))
    assert late["En retard"] == "Oui" and late["Paiement dû le"] == datetime(2026, 2, 26)
    sheet = workbook["Demandes de remboursement"]
    assert sheet["H2"].number_format == EURO and isinstance(sheet["H2"].value, (int, float))


def test_cheques_export_counts_the_cheques_accepted_in_the_period(client, world, money):
    login(client, world.a.users["correspondent"])
    headers, rows = table(export_and_open(client, "cheques"), "Chèques")
    with scoped(only(world.a.id)):
        accepted = db.session.scalar(select(func.count(Cheque.id)).where(Cheque.accepted_on.is_not(None)))
    assert len(rows) == accepted == 9
    assert sum(Decimal(str(row["Montant net"] or 0)) for row in rows) == db_sum(
        ReimbursementRequest.net, world.a.id)


def test_summary_workbook_figures_equal_the_database_and_has_charts(client, world, money):
    login(client, world.a.users["elected"])
    workbook = export_and_open(client, "summary")
    assert workbook.sheetnames == ["Chiffres clés", "Par mois", "Par partenaire", "Filtres"]
    cover = dict(workbook["Chiffres clés"].iter_rows(values_only=True))
    paid = (ReimbursementRequest.status == RequestStatus.paid,)
    assert cover["Chéquiers émis"] == 3 and cover["Chéquiers distribués"] == 1
    assert cover["Chéquiers non distribués"] == 2 and cover["Chéquiers entamés"] == 1
    assert cover["Partenaires approuvés"] == 2
    assert cover["Chèques remboursés"] == db_sum(ReimbursementRequest.cheque_count, world.a.id, *paid) == 8
    assert Decimal(str(cover["Montant net remboursé"])) == db_sum(ReimbursementRequest.net, world.a.id, *paid)
    assert Decimal(str(cover["Montant brut"])) == Decimal("80.00")
    assert cover["Délai moyen entre validation et paiement (jours)"] == pytest.approx(16)  # (10 + 22) / 2
    assert cover["Demandes payées en retard ou encore impayées après l’échéance"] == 1
    assert cover["Réclamations reçues"] == 2 and cover["Réclamations acceptées"] == 1
    assert cover["Réclamations hors délai"] == 1
    months_headers, months = table(workbook, "Par mois")
    assert [row["Mois"] for row in months] == ["01/2026", "02/2026", "03/2026", "04/2026", "05/2026", "06/2026"]
    assert sum(row["Chèques remboursés"] for row in months) == 8
    partners_headers, partners = table(workbook, "Par partenaire")
    assert sum(Decimal(str(row["Montant net"])) for row in partners) == Decimal(str(cover["Montant net remboursé"]))
    assert "Tiers-lieu Bêta" not in {row["Partenaire"] for row in partners}
    assert len(workbook["Par mois"]._charts) == 2 and len(workbook["Par partenaire"]._charts) == 1


def test_headers_follow_the_user_s_language(client, world, money):
    login(client, world.a.users["elected"])
    client.get("/lang/en")
    workbook = export_and_open(client, "summary")
    assert workbook.sheetnames == ["Key figures", "By month", "By partner", "Filters"]
    headers, _ = table(workbook, "By partner")
    assert headers[:3] == ["Partner identifier", "Partner", "Requests paid"]


def test_progress_moves_and_is_served_as_json(client, world, money, monkeypatch):
    seen = []
    record = report_jobs.jobs.set_progress
    monkeypatch.setattr(report_jobs.jobs, "set_progress", lambda key, done, total=None: (
        seen.append((done, total)), record(key, done, total)))
    monkeypatch.setattr("console.reports.report.PROGRESS_EVERY", 2)
    login(client, world.a.users["correspondent"])
    ask(client, "cheques")
    wait()
    export = last_export()
    dones = [done for done, total in seen]
    assert dones == sorted(dones) and len(set(dones)) >= 4 and (9, 9) in seen
    state = client.get(f"/exports/{export.id}/progress").json
    assert state["status"] == "done" and state["rows_done"] == 9 and state["percent"] == 100
    assert state["download_url"].endswith(f"/exports/{export.id}/download")


def test_a_job_that_raises_is_failed_with_its_message_leaves_no_file_and_can_be_retried(
        client, world, money, monkeypatch, app):
    def broken(report):
        raise RuntimeError("disque plein")

    monkeypatch.setitem(report_jobs.BUILDERS, report_jobs.ExportKind.partners, broken)
    login(client, world.a.users["correspondent"])
    folder = app.config["CONSOLE_EXPORT_DIR"]
    os.makedirs(folder, exist_ok=True)
    before = set(os.listdir(folder))
    ask(client, "partners")
    wait()
    export = last_export()
    assert export.status is ExportStatus.failed and "disque plein" in export.error
    assert export.file_path is None and set(os.listdir(folder)) == before
    assert client.get(f"/exports/{export.id}/download").status_code == 409
    page = client.get("/exports/").get_data(as_text=True)
    assert "disque plein" in page and "Réessayer" in page

    monkeypatch.undo()
    response = client.post(f"/exports/{export.id}/retry", data={"csrf_token": csrf_token(client, "/exports/")})
    assert response.status_code == 302
    wait()
    export = last_export()
    assert export.status is ExportStatus.done and export.attempts == 2 and export.error is None
    with client.get(f"/exports/{export.id}/download") as download:
        assert download.status_code == 200 and download.data.startswith(b"PK")
    # Only a failed export can be retried.
    again = client.post(f"/exports/{export.id}/retry", data={"csrf_token": csrf_token(client, "/exports/")})
    assert again.status_code == 302 and last_export().attempts == 2


def test_files_expire_after_the_configured_time(client, world, money, app, monkeypatch):
    monkeypatch.setitem(app.config, "CONSOLE_EXPORT_TTL_HOURS", 2)
    login(client, world.a.users["elected"])
    ask(client, "partners")
    wait()
    export = last_export()
    assert export.expires_at - export.finished_at == timedelta(hours=2)
    path = export.file_path
    assert reports_api.expire_exports(db.session, utcnow() + timedelta(hours=1)) == 0
    assert reports_api.expire_exports(db.session, utcnow() + timedelta(hours=3)) == 1
    db.session.commit()
    assert not os.path.exists(path)
    assert last_export().status is ExportStatus.expired
    assert client.get(f"/exports/{export.id}/download").status_code == 404


def test_a_period_ending_before_it_starts_is_refused_and_nothing_is_queued(client, world, money):
    login(client, world.a.users["elected"])
    response = ask(client, "summary", start=date(2026, 3, 1), end=date(2026, 2, 1))
    assert response.status_code == 302
    page = client.get("/exports/").get_data(as_text=True)
    assert "La période ne peut pas finir" in page
    assert db.session.scalar(select(func.count(Export.id))) == 0


def test_complaints_outside_the_period_are_left_out(client, world, money):
    login(client, world.a.users["elected"])
    headers, rows = table(export_and_open(client, "complaints", end=date(2026, 3, 31)), "Réclamations")
    with scoped(only(world.a.id)):
        in_period = db.session.scalar(select(func.count(Complaint.id)).where(
            Complaint.received_on.between(PERIOD[0], date(2026, 3, 31))))
    assert len(rows) == in_period == 1
