"""Reading an uploaded file of chéquiers: Excel (.xlsx) or CSV, as French spreadsheets write them.

No Flask here. A cell is only ever read as a value: a formula is kept as its text (never evaluated), so
« =HYPERLINK(…) » is refused by the row's rules like any other wrong text. Dates typed in Excel arrive as
dates; in a CSV they are text (DD/MM/YYYY), parsed by ``rows``.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator

from console.errors import N_, DomainError
from console.inputs import clean_text

MAX_BYTES = 10 * 1024 * 1024  # under the console's 12 MB request cap (config MAX_CONTENT_LENGTH)
MAX_ROWS = 200_000
XLSX_MAGIC = b"PK\x03\x04"
Cell = str | date | None


class FileRefused(DomainError):
    """The file as a whole cannot be read (size, format, encoding, too many rows)."""


@dataclass(frozen=True)
class Line:
    """One data row of the file and its line number as a spreadsheet shows it (the header is line 1)."""

    number: int
    cells: list[Cell]


def check_size(size: int) -> None:
    """An empty file, or one over the cap, is refused before anything is kept."""
    if size == 0:
        raise FileRefused(N_("The file is empty."), rule="import_file", field="file")
    if size > MAX_BYTES:
        raise FileRefused(N_("The file is larger than %(max)s MB: split it into several files."),
                          rule="import_file", field="file", max=MAX_BYTES // (1024 * 1024))


def is_xlsx(data: bytes) -> bool:
    return data.startswith(XLSX_MAGIC)


def estimated_rows(data: bytes) -> int | None:
    """The number of data rows, cheaply (to choose between the request and a background job); None: unknown."""
    if not is_xlsx(data):
        return max(0, data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1)
    try:
        sheet = _workbook(data).worksheets[0]
        return None if sheet.max_row is None else max(0, sheet.max_row - 1)
    except FileRefused:
        return None


def read(data: bytes) -> tuple[list[str], Iterator[Line]]:
    """The header's cells and the data rows (blank rows skipped); refuses a file it cannot read."""
    check_size(len(data))
    rows = _xlsx_rows(data) if is_xlsx(data) else _csv_rows(data)
    header = next(rows, None)
    if header is None:
        raise FileRefused(N_("The file is empty."), rule="import_file", field="file")
    return [str(cell or "").strip() for cell in header[1]], _data_lines(rows)


def _data_lines(rows: Iterator[tuple[int, list[Cell]]]) -> Iterator[Line]:
    count = 0
    for number, cells in rows:
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise FileRefused(N_("The file has more than %(max)s rows: split it into several files."),
                              rule="import_file", field="file", max=MAX_ROWS)
        yield Line(number, cells)


def decode(data: bytes) -> str:
    """UTF-8 (with or without its BOM), else Windows-1252 (« CSV (séparateur : point-virgule) » of French Excel)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused(N_("The file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8 or"
                             " Windows-1252."), rule="import_file", field="file") from None


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Cell]]]:
    text = decode(data)
    first = text.split("\n", 1)[0]
    # French Excel separates with « ; » (the comma is the decimal mark); others with « , » or a tab.
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            yield start, [clean_text(cell) for cell in row]
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileRefused(N_("The CSV file cannot be read at line %(line)s."), rule="import_file", field="file",
                          line=start) from error


def _workbook(data: bytes):
    from openpyxl import load_workbook

    try:
        # read_only streams the rows; data_only=False: a formula cell gives its text, never a computed value.
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise FileRefused(N_("The file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8 or"
                             " Windows-1252."), rule="import_file", field="file") from error


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Cell]]]:
    workbook = _workbook(data)
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, [_cell(value) for value in row]
    finally:
        workbook.close()


def _cell(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed in a cell: 1234 is read 1234.0
    return clean_text(str(value))
