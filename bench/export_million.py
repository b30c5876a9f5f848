"""Benchmark: export 1,000,000 cheques with their reimbursement lines from PostgreSQL, query to finished file.

    scripts/with-services .venv/bin/python bench/export_million.py [--rows 100000,1000000]

Creates a throw-away database next to the one of CONSOLE_TEST_POSTGRES_URL (or
--database), loads one collectivité per row count (cheques, chéquiers,
partners, paid requests and one reimbursement line per cheque), then exports
its cheques, each writer in a fresh process so that peak memory is its own:

* console: the real export job (``reports.jobs.run_export``: rights check,
  count, streamed query, typed workbook, filters sheet, atomic save);
* csv: the same query and rows written with the csv module (the floor);
* xlsxwriter: the same rows with xlsxwriter's constant_memory mode (the peer;
  needed here only, it is not a dependency of the console);
* openpyxl-normal: the same rows with openpyxl's normal mode (the naive way).

Every process reads the same rows through the same statement (explicit tenant
clause, server-side cursor). Prints rows/s, peak RSS (VmHWM) and file size.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PERIOD = (date(2026, 1, 1), date(2026, 12, 31))
PARTNERS = 200
PASSWORD = "Banc-d-essai-1"


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def console_app(database: str, directory: str):
    from console import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database, "CONSOLE_EXPORT_DIR": directory,
                       "RATELIMIT_ENABLED": False})


# --- loading -----------------------------------------------------------------------------------------------

LOAD = [
    # 10 cheques per chéquier, issued over the year.
    # One authorised prescripteur per collectivité, to which every chéquier is issued.
    """INSERT INTO prescripteur (name, active, created_at, collectivite_id)
       VALUES ('CCAS du centre', true, timestamp '2026-01-01 09:00', :cid)""",
    """INSERT INTO chequier (number, prescripteur, prescripteur_id, issued_on, validity_date, distributed_on, status,
                            collectivite_id)
       SELECT :code || lpad(g::text, 8, '0'), 'CCAS du centre',
              (SELECT id FROM prescripteur WHERE collectivite_id = :cid AND name = 'CCAS du centre'),
              date '2026-01-01' + (g % 300), date '2026-12-31', date '2026-01-01' + (g % 300), 'distributed', :cid
       FROM generate_series(1, :rows / 10) AS g""",
    """INSERT INTO cheque (number, face_value, validity_date, chequier_id, prescripteur, partner_id, distributed_on,
                           accepted_on, accepted_at, status, collectivite_id)
       SELECT c.number || '-' || i, 10.00, date '2026-12-31', c.id, c.prescripteur,
              :first_partner + (c.id % :partners), c.distributed_on, c.issued_on + i, c.issued_on + i, 'reimbursed',
              :cid
       FROM chequier AS c CROSS JOIN generate_series(0, 9) AS i WHERE c.collectivite_id = :cid""",
    # One paid request per 100 cheques.
    """INSERT INTO reimbursement_request (partner_id, status, submitted_on, submitted_at, fee_schedule_id,
              cheque_count, gross, fees, net, decided_on, due_on, paid_on, transfer_reference, collectivite_id)
       SELECT :first_partner + (g % :partners), 'paid', date '2026-01-10' + (g % 300),
              timestamp '2026-01-10 10:00' + (g % 300) * interval '1 day', :schedule, 100, 1000.00, 35.00, 965.00,
              date '2026-01-12' + (g % 300), date '2026-01-27' + (g % 300), date '2026-01-20' + (g % 300),
              'VIR-' || g, :cid
       FROM generate_series(1, :rows / 100) AS g""",
    # The first request id is a parameter: as a joined sub-query it is re-evaluated for every cheque.
    """INSERT INTO reimbursement_line (request_id, cheque_id, fee_schedule_id, face_value, fees, net, collectivite_id)
       SELECT :first_request + (q.n - 1) / 100, q.id, :schedule, 10.00, 0.35, 9.65, :cid
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM cheque WHERE collectivite_id = :cid) AS q""",
]


def load(app: Any, rows: int) -> dict[str, int]:
    """One collectivité holding ``rows`` accepted and reimbursed cheques; returns the ids a child needs."""
    from console.config import ROLE_ELECTED
    from console.extensions import db
    from console.money.models import FeeSchedule
    from console.partners.models import Partner, PartnerStatus
    from console.tenants.context import EVERYTHING, scoped
    from console.tenants.models import Collectivite, CollectiviteKind

    import random

    from console.demo import demo_siret

    rng = random.Random(rows)
    code = f"B{rows // 1000}K"[:8]
    with app.app_context(), scoped(EVERYTHING):
        collectivite = Collectivite(name=f"Banc d'essai {rows:,}", kind=CollectiviteKind.commune,
                                    siren=f"{rows:09d}"[-9:], slug=code.lower(), code=code,
                                    contact_email=f"{code.lower()}@bench.example.fr")
        db.session.add(collectivite)
        db.session.flush()
        schedule = FeeSchedule(collectivite=collectivite, version=1, effective_from=date(2025, 1, 1),
                               rate=Decimal("2.50"), fixed=Decimal("0.10"))
        partners = [Partner(collectivite=collectivite, name=f"Espace numérique {n}", siret=demo_siret(rng),
                            email=f"p{n}@bench.example.fr", address="1 place de la Mairie", postcode="69001",
                            city="Lyon", status=PartnerStatus.approved) for n in range(PARTNERS)]
        db.session.add_all([schedule, *partners])
        db.session.flush()
        sm = app.appbuilder.sm
        user = sm.add_user(f"elu-{code.lower()}", "Élue", "Banc", f"elu@{code.lower()}.example.fr",
                           sm.find_role(ROLE_ELECTED), PASSWORD)
        user.collectivite = collectivite
        parameters = {"code": code, "cid": collectivite.id, "rows": rows, "schedule": schedule.id,
                      "first_partner": min(p.id for p in partners), "partners": PARTNERS}
        for statement in LOAD:
            if ":first_request" in statement:
                parameters["first_request"] = db.session.scalar(
                    text("SELECT min(id) FROM reimbursement_request WHERE collectivite_id = :cid"), parameters)
            db.session.execute(text(statement), parameters)
        db.session.commit()
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        return {"collectivite": collectivite.id, "user": user.id}


# --- writers (each runs in its own process) ------------------------------------------------------------------

def same_rows(collectivite_id: int) -> tuple[list, Iterator[tuple]]:
    """The cheques export's columns and rows, read exactly as the export job reads them."""
    from flask_babel import force_locale

    from console.extensions import db
    from console.reports import cheques
    from console.reports.report import Report
    from console.tenants.context import only, scoped

    scope = only(collectivite_id)
    with force_locale("fr"):
        report = Report(session=db.session, workbook=None, scope=scope, today=date.today(),
                        period_start=PERIOD[0], period_end=PERIOD[1])
        columns, convert = cheques.columns(), cheques.converter()

    def rows() -> Iterator[tuple]:
        with scoped(scope):  # as in the job: the session hook sees the export's scope
            yield from map(convert, report.stream(cheques.statement(report)))

    return columns, rows()


def write_console(ids: dict[str, int], directory: Path) -> tuple[int, Path]:
    """The export job itself, as a worker runs it."""
    from console.extensions import db
    from console.reports import api as reports_api
    from console.reports.jobs import run_export
    from console.reports.models import Export, ExportKind
    from console.tenants.context import EVERYTHING, scoped
    from console.tenants.models import ConsoleUser

    with scoped(EVERYTHING):
        user = db.session.get(ConsoleUser, ids["user"])
        export = reports_api.request_export(db.session, user, ExportKind.cheques, period_start=PERIOD[0],
                                            period_end=PERIOD[1])
        db.session.commit()
        run_export(export.id)
        export = db.session.get(Export, export.id, populate_existing=True)
    if export.error:
        raise SystemExit(export.error)
    return export.rows_done, Path(export.file_path)


def write_csv(ids: dict[str, int], directory: Path) -> tuple[int, Path]:
    """The floor: no types, no styles, no zip."""
    columns, rows = same_rows(ids["collectivite"])
    path = directory / "cheques.csv"
    count = 0
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([column.header for column in columns])
        for count, row in enumerate(rows, 1):
            writer.writerow(row)
    return count, path


def write_xlsxwriter(ids: dict[str, int], directory: Path) -> tuple[int, Path]:
    """The peer: xlsxwriter's streaming mode, one typed write method per column."""
    import xlsxwriter

    from console.reports.xlsx import NUMBER_FORMATS

    columns, rows = same_rows(ids["collectivite"])
    path = directory / "cheques-xlsxwriter.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Chèques")
    sheet.write_row(0, 0, [column.header for column in columns], workbook.add_format({"bold": True}))
    formats = [workbook.add_format({"num_format": NUMBER_FORMATS[c.kind]}) if NUMBER_FORMATS[c.kind] else None
               for c in columns]
    by_kind: dict[str, Callable] = {"text": sheet.write_string, "date": sheet.write_datetime}
    writers = [by_kind.get(column.kind, sheet.write_number) for column in columns]
    count = 0
    for count, row in enumerate(rows, 1):
        for number, (write, value, number_format) in enumerate(zip(writers, row, formats)):
            if value is not None:
                write(count, number, value, number_format)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, count, len(columns) - 1)
    workbook.close()
    return count, path


def write_openpyxl_normal(ids: dict[str, int], directory: Path) -> tuple[int, Path]:
    """The naive way: openpyxl's normal mode, the whole sheet in memory."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from console.reports.xlsx import NUMBER_FORMATS

    columns, rows = same_rows(ids["collectivite"])
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    formatted = [(n, NUMBER_FORMATS[c.kind]) for n, c in enumerate(columns, 1) if NUMBER_FORMATS[c.kind]]
    count = 0
    for count, row in enumerate(rows, 1):
        sheet.append(row)
        for number, number_format in formatted:
            sheet.cell(count + 1, number).number_format = number_format
    path = directory / "cheques-openpyxl.xlsx"
    workbook.save(path)
    return count, path


WRITERS: dict[str, Callable[[dict[str, int], Path], tuple[int, Path]]] = {
    "csv": write_csv,
    "console": write_console,
    "xlsxwriter": write_xlsxwriter,
    "openpyxl-normal": write_openpyxl_normal,
}


def run_child(name: str, database: str, ids: dict[str, int], directory: Path) -> None:
    """Time one writer from the query to the finished file and print its measures as JSON."""
    app = console_app(database, str(directory))
    with app.app_context():
        start = time.perf_counter()
        count, path = WRITERS[name](ids, directory)
        seconds = time.perf_counter() - start
    print(json.dumps({"rows": count, "seconds": seconds, "rows/s": count / seconds,
                      "peak RSS MB": peak_rss_mb(), "file MB": path.stat().st_size / 1e6}))
    path.unlink()


def measure(name: str, database: str, ids: dict[str, int], directory: Path) -> dict[str, float]:
    child = [sys.executable, __file__, "--child", name, "--database", database, "--ids", json.dumps(ids),
             "--directory", str(directory)]
    return json.loads(subprocess.run(child, check=True, stdout=subprocess.PIPE, text=True).stdout.splitlines()[-1])


# --- the run -----------------------------------------------------------------------------------------------

def scratch_database(server: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database on the server of ``server``, and the function that drops it."""
    name = f"console_bench_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000", help="comma-separated row counts")
    parser.add_argument("--writers", default=",".join(WRITERS), help="comma-separated, among " + ", ".join(WRITERS))
    parser.add_argument("--database", default=os.environ.get("CONSOLE_TEST_POSTGRES_URL"),
                        help="a PostgreSQL URL whose server may hold a scratch database")
    parser.add_argument("--child", choices=WRITERS, help=argparse.SUPPRESS)
    parser.add_argument("--ids", help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        run_child(arguments.child, arguments.database, json.loads(arguments.ids), arguments.directory)
        return
    if not arguments.database or not arguments.database.startswith("postgresql"):
        sys.exit("Give a PostgreSQL server: run under scripts/with-services, or pass --database URL")
    sizes = [int(size) for size in arguments.rows.split(",")]
    writers = arguments.writers.split(",")
    database, drop = scratch_database(arguments.database)
    try:
        with tempfile.TemporaryDirectory() as directory:
            app = console_app(database, directory)
            with app.app_context():
                from console.schema import init_database

                init_database()
            print(f"PostgreSQL, cheques export (11 typed columns, 4 joined tables), Python {sys.version.split()[0]}")
            print(f"| {'rows':>9} | {'writer':<16} | {'rows/s':>8} | {'seconds':>7} | {'peak RSS MB':>11} | {'file MB':>7} |")
            print(f"|{'-' * 10}:|{'-' * 18}|{'-' * 9}:|{'-' * 8}:|{'-' * 12}:|{'-' * 8}:|")
            for size in sizes:
                started = time.perf_counter()
                ids = load(app, size)
                print(f"(loaded {size:,} cheques in {time.perf_counter() - started:.0f} s)", file=sys.stderr)
                for name in writers:
                    result = measure(name, database, ids, Path(directory))
                    assert result["rows"] == size, result
                    print(f"| {size:>9,} | {name:<16} | {result['rows/s']:>8,.0f} | {result['seconds']:>7.1f} |"
                          f" {result['peak RSS MB']:>11.0f} | {result['file MB']:>7.1f} |", flush=True)
            from console.extensions import db

            with app.app_context():
                db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
