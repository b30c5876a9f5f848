"""Benchmark: the same typed rows written by several writers, each in its own process.

    .venv/bin/python bench/xlsx_writers.py [--rows 200000]

Prints rows/s, peak resident memory of the writing process and file size for:
the csv module (the floor), xlsxwriter constant_memory (the peer), openpyxl in
normal mode (the naive way), openpyxl write-only with a WriteOnlyCell per
formatted value (the documented streaming way) and console.reports.xlsx.
xlsxwriter is needed here only: it is not a dependency of the console.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["N°", "Chèque", "Partenaire", "SIRET", "Statut", "Validité", "Enregistré le", "Valeur", "Remboursé", "Frais"]
KINDS = ["integer", "text", "text", "text", "text", "date", "datetime", "money", "money", "percent"]
FORMATS = {
    "integer": "#,##0", "date": "DD/MM/YYYY", "datetime": "DD/MM/YYYY HH:MM",
    "money": '#,##0.00\\ "EUR"', "percent": "0.00%",
}


def rows(count: int) -> Iterator[tuple]:
    """`count` rows of 10 typed values, cycling over 1,000 distinct ones so memory stays flat."""
    pool = [
        (
            f"PN-{n:08d}", f"Association numérique n°{n % 97}", f"{10000000000000 + n * 7919}",
            ("approuvé", "payé", "refusé")[n % 3], date(2025, 1, 1) + timedelta(days=n % 365),
            datetime(2025, 1, 1, 8, 30) + timedelta(minutes=37 * n), Decimal("10.00"),
            Decimal("9.65") - Decimal(n % 7) / 100, Decimal("0.035"),
        )
        for n in range(1000)
    ]
    for number, values in enumerate(islice(cycle(pool), count), 1):
        yield (number, *values)


def write_csv(path: Path, count: int) -> None:
    """The floor: no types, no styles, no zip."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        writer.writerows(rows(count))


def write_xlsxwriter(path: Path, count: int) -> None:
    """xlsxwriter's streaming mode, with the type-specific write method of each column."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Chèques")
    bold = workbook.add_format({"bold": True})
    formats = [workbook.add_format({"num_format": FORMATS[kind]}) if kind in FORMATS else None for kind in KINDS]
    by_kind = {"text": sheet.write_string, "date": sheet.write_datetime, "datetime": sheet.write_datetime}
    methods = [by_kind.get(kind, sheet.write_number) for kind in KINDS]
    sheet.write_row(0, 0, HEADERS, bold)
    for row, values in enumerate(rows(count), 1):
        for column, (method, value, number_format) in enumerate(zip(methods, values, formats)):
            method(row, column, value, number_format)
    workbook.close()


def write_openpyxl_normal(path: Path, count: int) -> None:
    """openpyxl as most code uses it: the whole sheet in memory."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    formatted = [(column, FORMATS[kind]) for column, kind in enumerate(KINDS, 1) if kind in FORMATS]
    for row, values in enumerate(rows(count), 2):
        sheet.append(values)
        for column, number_format in formatted:
            sheet.cell(row, column).number_format = number_format
    workbook.save(path)


def write_openpyxl_write_only(path: Path, count: int) -> None:
    """openpyxl's documented streaming way: a WriteOnlyCell per formatted value."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Chèques")

    def styled(value: object, **style: object) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    sheet.append([styled(header, font=Font(bold=True)) for header in HEADERS])
    formats = [FORMATS.get(kind) for kind in KINDS]
    for values in rows(count):
        sheet.append([
            styled(value, number_format=number_format) if number_format else value
            for value, number_format in zip(values, formats)
        ])
    workbook.save(path)


def write_console(path: Path, count: int) -> None:
    """This console's writer."""
    # Loaded by path: importing the console package would also load Flask, and count it.
    spec = importlib.util.spec_from_file_location("xlsx", ROOT / "console" / "reports" / "xlsx.py")
    xlsx = sys.modules["xlsx"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(xlsx)

    columns = [xlsx.Column(header, kind) for header, kind in zip(HEADERS, KINDS)]
    with xlsx.writing(path) as workbook:
        xlsx.write_table(workbook, "Chèques", columns, rows(count))


WRITERS: dict[str, tuple[str, Callable[[Path, int], None]]] = {
    "csv": ("csv", write_csv),
    "xlsxwriter": ("xlsx", write_xlsxwriter),
    "openpyxl-normal": ("xlsx", write_openpyxl_normal),
    "openpyxl-write-only": ("xlsx", write_openpyxl_write_only),
    "console": ("xlsx", write_console),
}


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    status = Path("/proc/self/status").read_text()
    kilobytes = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return kilobytes / 1024


def run_child(name: str, count: int, directory: Path) -> None:
    """Write the rows with one writer and print its measures as JSON."""
    suffix, write = WRITERS[name]
    path = directory / f"{name}.{suffix}"
    start = time.perf_counter()
    write(path, count)
    seconds = time.perf_counter() - start
    print(json.dumps({"rows/s": count / seconds, "peak RSS MB": peak_rss_mb(), "file MB": path.stat().st_size / 1e6}))


def measure(name: str, count: int, directory: Path) -> dict[str, float]:
    """Run one writer in a fresh interpreter, so that memory peaks are its own."""
    child = [sys.executable, __file__, "--rows", str(count), "--child", name, "--directory", str(directory)]
    return json.loads(subprocess.run(child, check=True, stdout=subprocess.PIPE, text=True).stdout)


def main() -> None:
    """Run every writer and print a table of the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--child", choices=WRITERS, help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        run_child(arguments.child, arguments.rows, arguments.directory)
        return
    if importlib.util.find_spec("xlsxwriter") is None:
        sys.exit("xlsxwriter is missing: it is the benchmark's peer, not a console dependency (pip install xlsxwriter)")
    print(f"{arguments.rows:,} rows x {len(HEADERS)} typed columns, Python {sys.version.split()[0]}")
    print(f"| {'writer':<20} | {'rows/s':>9} | {'peak RSS MB':>11} | {'file MB':>7} |")
    print(f"|{'-' * 22}|{'-' * 10}:|{'-' * 12}:|{'-' * 8}:|")
    with tempfile.TemporaryDirectory() as directory:
        for name in WRITERS:
            result = measure(name, arguments.rows, Path(directory))
            print(
                f"| {name:<20} | {result['rows/s']:>9,.0f} | {result['peak RSS MB']:>11.0f} | {result['file MB']:>7.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
