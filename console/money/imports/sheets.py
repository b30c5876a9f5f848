"""The workbooks of the import page: the template to fill in, and an import's report (line, column, error).

Written with the exports' streaming writer (``reports.xlsx``): every text is a string cell, never a formula,
so a value copied from an uploaded file into the report cannot run in the reader's spreadsheet."""
from __future__ import annotations

import io
from typing import Callable

from flask_babel import gettext
from openpyxl import Workbook

from console.errors import N_
from console.money.imports import files
from console.money.imports.rows import COLUMNS
from console.reports import xlsx

TEMPLATE_HINTS = {  # msgids, translated when the template is built
    "number": N_("Required: up to 16 letters, digits or dashes; its cheques are numbered <number>-01 to -10."),
    "prescripteur": N_("Required: the name of one of the collectivité's active authorised prescripteurs."),
    "issued_on": N_("Required: DD/MM/YYYY."),
    "validity_date": N_("Required: DD/MM/YYYY."),
    "distributed_on": N_("Optional: DD/MM/YYYY, the day the cheques were handed to the citizen (not before the"
                      " issue, not in the future)."),
    "cheques": N_("Optional: the cheques handed out that day, separated by spaces or commas (e.g. CQ1-01, CQ1-02);"
               " empty with a distribution date: the whole chéquier."),
}


def _bytes(build: Callable[[Workbook], None]) -> bytes:
    workbook = xlsx.new_workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template() -> bytes:
    """An empty sheet with the columns' headers in the user's language, and a sheet explaining each column."""
    columns = [xlsx.Column(gettext(header), width=24) for _, header in COLUMNS]

    def build(workbook: Workbook) -> None:
        xlsx.write_table(workbook, gettext("Chéquiers"), columns, [])
        xlsx.write_key_values(workbook, gettext("How to fill it in"), [
            (gettext(header), gettext(TEMPLATE_HINTS[name])) for name, header in COLUMNS] + [
            (gettext("Limits"), gettext("At most %(rows)s rows and %(size)s MB per file; .xlsx, or CSV separated by"
                                        " « ; » in UTF-8 or Windows-1252.", rows=files.MAX_ROWS,
                                        size=files.MAX_BYTES // (1024 * 1024)))])

    return _bytes(build)


def report(errors: list[list]) -> bytes:
    """The report of an import: one row per error (line, column, message)."""
    columns = [xlsx.Column(gettext("Line"), "integer", 8), xlsx.Column(gettext("Column"), width=24),
               xlsx.Column(gettext("Error"), width=90)]
    return _bytes(lambda workbook: xlsx.write_table(workbook, gettext("Errors"), columns, errors))
