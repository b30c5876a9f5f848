"""Chéquier import: a file of chéquiers checked row by row with the chéquier form's rules, a report by line and
column, nothing written unless every row is valid (or the valid rows when asked), big files by a job, and
collectivité A's file never reaching B's prescripteurs, chéquiers or imports."""
from __future__ import annotations

import html
import io
import time
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from console.audit.models import AuditEvent
from console.extensions import db
from console.money.dates import paris_day
from console.money.imports.models import ChequierImport, ImportStatus
from console.money.models import Cheque, Chequier, ChequierStatus
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import utcnow
from tests.conftest import csrf_token, page_text
from tests.money import helpers
from tests.money.test_server_dates import signed_in

HEADER = ["Numéro du chéquier", "Prescripteur", "Date d’émission", "Date de validité", "Date de distribution",
          "Chèques distribués"]


def french(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "cp1252") -> bytes:
    """A CSV as French Excel writes it: « ; » separated, Windows-1252, CRLF."""
    return "\r\n".join(";".join(row) for row in [header, *rows]).encode(encoding) + b"\r\n"


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(browser, data: bytes, name: str = "chequiers.csv", **form: object):
    token = csrf_token(browser, "/chequier-import/")
    # Encoded here: the test client would spool a big body to a temporary file it never closes.
    boundary, body = encode_multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(data), name),
                                       **{key: str(value) for key, value in form.items()}})
    return browser.post("/chequier-import/new", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def written() -> dict[str, tuple]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return {row.number: (row.collectivite_id, row.prescripteur, row.status, row.distributed_on)
                for row in db.session.scalars(select(Chequier))}


def imports() -> list[ChequierImport]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.scalars(select(ChequierImport).order_by(ChequierImport.id)).all()


def test_a_valid_csv_file_is_imported_with_the_forms_rules(app, world, prescripteurs):
    today = paris_day(utcnow())
    issued, validity = today - timedelta(days=30), today + timedelta(days=300)
    rows = [["IMP-1", "CCAS d’Alpha", french(issued), french(validity), "", ""],
            ["imp 2", "ccas d’alpha ", french(issued), french(validity), french(today), ""],
            ["IMP-3", "CCAS d’Alpha", issued.isoformat(), french(validity), french(issued), "IMP-3-01, IMP-3-02"]]
    browser = signed_in(app, world.a.users["correspondent"])
    page = browser.get("/chequier-import/")
    assert page.status_code == 200 and "Télécharger le modèle" in page.get_data(as_text=True)
    response = upload(browser, csv_bytes(rows), collectivite=world.b.id)  # a correspondent's choice is ignored
    assert response.status_code == 302
    report = page_text(browser.get(response.headers["Location"]))
    assert "3 chéquiers écrits sur 3 lignes" in html.unescape(report)
    assert written() == {
        "IMP-1": (world.a.id, "CCAS d’Alpha", ChequierStatus.issued, None),
        "IMP2": (world.a.id, "CCAS d’Alpha", ChequierStatus.distributed, today),
        "IMP-3": (world.a.id, "CCAS d’Alpha", ChequierStatus.issued, None),
    }
    with scoped(EVERYTHING):
        cheques = dict(db.session.execute(select(Cheque.number, Cheque.distributed_on)).all())
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "chequier.import")).one()
    assert len(cheques) == 30 and cheques["IMP-1-10"] is None and cheques["IMP2-07"] == today
    assert [cheques[f"IMP-3-{n:02d}"] for n in (1, 2, 3)] == [issued, issued, None]
    assert event.collectivite_id == world.a.id and event.actor_login == world.a.users["correspondent"]
    assert event.details_dict == {"file": "chequiers.csv", "rows": 3, "invalid": 0, "written": 3,
                                  "valid_rows_only": False}
    # The same file again: every number is now used, reported line by line, nothing more written.
    upload(browser, csv_bytes(rows, encoding="utf-8-sig"))
    assert imports()[-1].status is ImportStatus.refused
    assert [line for line, _, _ in imports()[-1].errors] == [2, 3, 4]
    # A file missing a required column fails as a whole, naming it; still one audit event, nothing written.
    upload(browser, csv_bytes([["IMP-9", "CCAS d’Alpha"]], header=HEADER[:2]))
    failed = imports()[-1]
    assert failed.status is ImportStatus.failed and failed.file_path is None
    assert failed.error == "La colonne «\u00a0Date d’émission\u00a0» manque à la première ligne du fichier."
    assert "IMP-9" not in written()
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "chequier.import")) == 3
    template = browser.get("/chequier-import/download/template")
    assert template.status_code == 200 and "attachment" in template.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(template.data)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER


def test_errors_on_several_lines_are_reported_and_nothing_is_written(app, world, prescripteurs):
    today = paris_day(utcnow())
    issued, validity = today - timedelta(days=10), today + timedelta(days=200)
    with helpers.operator():
        helpers.chequier(world.a.id, "OLD-1", validity)
    rows = [["GOOD-1", "CCAS d’Alpha", issued, validity, None, None],
            ["GOOD-1", "CCAS d’Alpha", issued, validity, None, None],  # 3: twice in the file
            ["OLD-1", "CCAS d’Alpha", issued, validity, None, None],  # 4: already used
            ["BAD-4", "CCAS de Bêta", "31/02/2026", validity, None, None],  # 5: B's prescripteur, no such day
            ["=HYPERLINK(\"x\")", "Ancienne mission locale", issued, validity, today + timedelta(days=1), None],  # 6
            ["BAD-6", "CCAS d’Alpha", issued, validity, None, "BAD-6-01"],  # 7: cheques without a date
            ["BAD-7", "CCAS d’Alpha", issued, validity, today, "BAD-6-02"],  # 8: another chéquier's cheque
            ["GOOD-2", "CCAS d’Alpha", issued, validity, issued, "GOOD-2-03"]]
    browser = signed_in(app, world.a.users["correspondent"])
    response = upload(browser, xlsx_bytes(rows), name="erreurs.xlsx")
    page = html.unescape(page_text(browser.get(response.headers["Location"])))
    [imported] = imports()
    assert imported.status is ImportStatus.refused and imported.rows_written == 0
    assert (imported.rows_total, imported.rows_invalid) == (8, 6)
    assert set(written()) == {"OLD-1"}
    assert [tuple(error[:2]) for error in imported.errors] == [
        (3, "Numéro du chéquier"), (4, "Numéro du chéquier"), (5, "Prescripteur"), (5, "Date d’émission"),
        (6, "Numéro du chéquier"), (6, "Prescripteur"), (6, "Date de distribution"), (7, "Date de distribution"),
        (8, "Chèques distribués")]
    messages = {(line, column): message for line, column, message in imported.errors}
    assert messages[3, "Numéro du chéquier"] == "Le chéquier GOOD-1 figure déjà à la ligne 2 du fichier."
    assert messages[4, "Numéro du chéquier"] == "Le numéro de chéquier OLD-1 est déjà utilisé."
    assert "prescripteurs autorisés" in messages[5, "Prescripteur"]
    assert "31/02/2026 n’est pas une date" in messages[5, "Date d’émission"]
    assert "nous sommes le" in messages[6, "Date de distribution"]
    assert "BAD-6-02" in messages[8, "Chèques distribués"]
    assert "<caption>" in page and "aucune ligne n’a été écrite" in page and "31/02/2026 n’est pas une date" in page
    report = browser.get(f"/chequier-import/{imported.id}/download")
    sheet = load_workbook(io.BytesIO(report.data)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Ligne", "Colonne", "Erreur"] and len(values) == 10
    assert values[1][0] == 3 and all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    # « Importer les lignes valides »: the two valid rows only, the report still lists the others.
    upload(browser, xlsx_bytes(rows), name="erreurs.xlsx", valid_rows_only="1")
    second = imports()[-1]
    assert (second.status, second.rows_written, second.rows_invalid) == (ImportStatus.done, 2, 6)
    assert set(written()) == {"OLD-1", "GOOD-1", "GOOD-2"}
    with scoped(EVERYTHING):
        assert db.session.scalar(select(Cheque.distributed_on).where(Cheque.number == "GOOD-2-03")) == issued


# PostgreSQL only: on SQLite the job's single write transaction locks the file and the page's polls wait for it
# (README « Chéquier import »).
@pytest.mark.parametrize("session_app", ["postgresql"], indirect=True)
def test_a_50000_row_file_is_imported_by_a_job_with_its_progress(app, world, prescripteurs):
    today = paris_day(utcnow())
    line = f";CCAS d’Alpha;{french(today - timedelta(days=5))};{french(today + timedelta(days=365))};{french(today)};"
    data = ("\r\n".join([";".join(HEADER)] + [f"J{n:06d}{line}" for n in range(50_000)]) + "\r\n").encode("cp1252")
    browser = signed_in(app, world.a.users["correspondent"])
    started = time.perf_counter()
    response = upload(browser, data, name="gros.csv")
    assert time.perf_counter() - started < 5  # queued, not imported within the request
    pk = int(response.headers["Location"].rsplit("/", 1)[1])
    seen = []
    while not (state := browser.get(f"/chequier-import/{pk}/progress").get_json())["finished"]:
        seen.append(state["percent"])
        assert time.perf_counter() - started < 120
        time.sleep(1)
    elapsed = time.perf_counter() - started
    assert state["status"] == "done" and state["percent"] == 100, state
    assert (state["rows_total"], state["rows_written"], state["rows_invalid"]) == (50_000, 50_000, 0)
    assert seen and seen[0] < 100 and seen == sorted(seen)
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count(Chequier.id))) == 50_000
        assert db.session.scalar(select(func.count(Cheque.id)).where(Cheque.distributed_on == today)) == 500_000
        assert imports()[0].file_path is None  # the upload is kept until the job ends, no longer
    assert elapsed < 60, elapsed


def test_an_import_never_reaches_another_collectivite(app, world, prescripteurs):
    today = paris_day(utcnow())
    validity = today + timedelta(days=100)
    with helpers.operator():
        helpers.chequier(world.b.id, "BETA-1", validity)
    rows = [["ALPHA-1", "CCAS d’Alpha", french(today), french(validity), "", ""],
            ["BETA-1", "CCAS d’Alpha", french(today), french(validity), french(today), ""],
            ["ALPHA-2", "CCAS de Bêta", french(today), french(validity), "", ""]]
    alpha = signed_in(app, world.a.users["correspondent"])
    upload(alpha, csv_bytes(rows), valid_rows_only="1", collectivite=world.b.id)
    [imported] = imports()
    assert imported.collectivite_id == world.a.id
    assert written() == {"ALPHA-1": (world.a.id, "CCAS d’Alpha", ChequierStatus.issued, None),
                         "BETA-1": (world.b.id, "CCAS", ChequierStatus.distributed, date(2020, 1, 2))}
    assert [(line, column) for line, column, _ in imported.errors] == [(3, "Numéro du chéquier"), (4, "Prescripteur")]
    # The form refuses a number used elsewhere with the same rule, before the database would.
    form = {"number": "beta-1", "issued_to": prescripteurs, "issued_on": today.isoformat(),
            "validity_date": validity.isoformat(), "csrf_token": csrf_token(alpha, "/chequierview/add")}
    refused = alpha.post("/chequierview/add", data=form, follow_redirects=True)
    assert "Le numéro de chéquier BETA-1 est déjà utilisé." in html.unescape(refused.get_data(as_text=True))
    assert written()["BETA-1"][0] == world.b.id and len(written()) == 2
    # B's correspondent neither lists nor opens A's import, its progress or its report.
    beta = signed_in(app, world.b.users["correspondent"])
    assert "chequiers.csv" not in beta.get("/chequier-import/").get_data(as_text=True)
    for url in (f"/chequier-import/{imported.id}", f"/chequier-import/{imported.id}/progress",
                f"/chequier-import/{imported.id}/download"):
        assert beta.get(url).status_code == 404, url
        assert alpha.get(url).status_code == 200, url
    # Élus and support agents import nothing; the operator names the collectivité explicitly.
    for role in ("elected", "support"):
        assert signed_in(app, world.a.users[role]).get("/chequier-import/").status_code in (302, 403)
    operator = signed_in(app, "operateur")
    upload(operator, csv_bytes([["OP-1", "CCAS de Bêta", french(today), french(validity), "", ""]]))
    assert len(imports()) == 1 and "OP-1" not in written()
    upload(operator, csv_bytes([["OP-1", "CCAS de Bêta", french(today), french(validity), "", ""]]),
           collectivite=world.b.id)
    assert written()["OP-1"][:2] == (world.b.id, "CCAS de Bêta")
