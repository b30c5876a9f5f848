"""Reading chéquier files (encodings, separators, caps, formulas) and the rules a row is checked with, at their edges.
No database: these run in milliseconds."""
from __future__ import annotations

import codecs
import io
from datetime import date

import pytest
from openpyxl import Workbook

from console.errors import DomainError
from console.money import chequiers, rules
from console.money.imports import files
from console.money.imports.rows import day, header_key, locate

NAMES = {"number": {"numero du chequier", "chequier number"}, "prescripteur": {"prescripteur"},
         "issued_on": {"date d'emission", "issue date"}, "validity_date": {"date de validite", "validity date"},
         "distributed_on": {"date de distribution"}, "cheques": {"cheques distribues"}}
SHOWN = {"number": "Numéro du chéquier", "prescripteur": "Prescripteur", "issued_on": "Date d’émission",
         "validity_date": "Date de validité", "distributed_on": "Date de distribution", "cheques": "Chèques distribués"}


def lines(data: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    header, rows = files.read(data)
    return header, [(line.number, line.cells) for line in rows]


@pytest.mark.parametrize("data", [
    "Numéro;Prescripteur\r\nA1;Maison de l’emploi\r\n".encode("cp1252"),  # French Excel's « CSV (point-virgule) »
    codecs.BOM_UTF8 + "Numéro;Prescripteur\nA1;Maison de l’emploi\n".encode(),
    "Numéro,Prescripteur\nA1,Maison de l’emploi\n".encode(),
    "Numéro\tPrescripteur\n\nA1\tMaison de l’emploi\n".encode(),  # a blank line is skipped, numbers kept
])
def test_encodings_and_separators_of_french_spreadsheets(data):
    header, rows = lines(data)
    assert header == ["Numéro", "Prescripteur"]
    assert [cells for _, cells in rows] == [["A1", "Maison de l’emploi"]]
    assert rows[0][0] == (3 if b"\n\n" in data else 2)  # the line a spreadsheet shows


def test_files_refused_as_a_whole():
    for data in (b"", b"x" * (files.MAX_BYTES + 1), b"\x81\x8d;\x90\n", b"PK\x03\x04 not a workbook"):
        with pytest.raises(files.FileRefused):
            lines(data)


def test_the_row_cap_counts_data_rows(monkeypatch):
    monkeypatch.setattr(files, "MAX_ROWS", 3)
    assert len(lines(b"h\n1\n2\n3\n")[1]) == 3
    with pytest.raises(files.FileRefused) as refusal:
        lines(b"h\n1\n2\n3\n4\n")
    assert refusal.value.params == {"max": 3}


def test_excel_cells_are_values_and_formulas_stay_text():
    workbook = Workbook()
    workbook.active.append(["Numéro", "Date"])
    workbook.active.append(["=HYPERLINK(\"http://x\")", date(2027, 1, 31)])
    workbook.active.append([1234, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert files.estimated_rows(buffer.getvalue()) == 2
    assert [cells for _, cells in lines(buffer.getvalue())[1]] == [["=HYPERLINK(\"http://x\")", date(2027, 1, 31)],
                                                                   ["1234", None]]
    with pytest.raises(DomainError) as refusal:
        chequiers.chequier_number("=HYPERLINK(\"http://x\")")
    assert refusal.value.rule == "chequier_number"


def test_headers_in_french_or_english_and_a_missing_column_named():
    header = ["Numéro du chéquier ", "PRESCRIPTEUR", "Date d'émission", "Validity date", "Date de distribution"]
    assert locate(header, NAMES, SHOWN) == {"number": 0, "prescripteur": 1, "issued_on": 2, "validity_date": 3,
                                            "distributed_on": 4}
    assert header_key("Date d’émission") == header_key("date d'EMISSION") == "date d'emission"
    with pytest.raises(files.FileRefused) as refusal:
        locate(header[:3], NAMES, SHOWN)
    assert refusal.value.params == {"column": "Date de validité"}


def test_dates_typed_the_french_way_at_their_edges():
    assert day("29/02/2028") == date(2028, 2, 29)
    assert day("2028-02-29") == day(date(2028, 2, 29)) == date(2028, 2, 29)
    assert day("31/12/2099") == date(2099, 12, 31) and day(None) is None
    for wrong in ("29/02/2027", "31/04/2027", "01/01/2100", "12/31/2027", "demain"):
        with pytest.raises(DomainError):
            day(wrong)
    with pytest.raises(DomainError):
        day(None, required=True)


def test_distribution_day_between_the_issue_and_today():
    issued, today = date(2026, 1, 31), date(2026, 2, 28)
    rules.check_distribution_day(issued, issued, today)
    rules.check_distribution_day(issued, today, today)
    for wrong in (date(2026, 1, 30), date(2026, 3, 1)):
        with pytest.raises(DomainError) as refusal:
            rules.check_distribution_day(issued, wrong, today)
        assert refusal.value.rule == "chequier_distribution"


def test_cheques_listed_belong_to_their_chequier_once():
    assert chequiers.pick_cheques("CQ1", "cq1-02, CQ1-01 CQ1-02") == ["CQ1-02", "CQ1-01"]
    for wrong in ("CQ1-11", "CQ10-01", "CQ1-1"):
        with pytest.raises(DomainError):
            chequiers.pick_cheques("CQ1", wrong)
    assert chequiers.cheque_numbers("CQ1")[-1] == "CQ1-10"
