"""Tests of console.reports.xlsx: files are saved, then reopened with openpyxl and read as zips."""

import random
import re
import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import IntEnum
from pathlib import Path

import openpyxl
import pytest
from markupsafe import Markup
from openpyxl.utils.datetime import to_excel

from console.reports import xlsx
from console.reports.xlsx import Column

MONEY = '#,##0.00\\ "€"'
COLUMNS = [
    Column("Chèque", "text", 18),
    Column("Validité", "date", 12),
    Column("Enregistré le", "datetime"),
    Column("Montant", "money", 14),
    Column("Chèques", "integer"),
    Column("Taux", "percent"),
    Column("Ratio", "decimal"),
]
ROW = ("PN-0001", date(2025, 12, 31), datetime(2026, 1, 31, 9, 5), Decimal("1234.56"), 1234, Decimal("0.035"), 2.5)
FORMULA_LIKE = ["=1+1", '=HYPERLINK("http://x","y")', "+33 6 12", "-5", "@SUM(A1)", "\tcmd", "\rcmd"]


def save_table(tmp_path: Path, rows, columns=COLUMNS, **options) -> Path:
    """Write one table and save it; return the file's path."""
    path = tmp_path / "report.xlsx"
    with xlsx.writing(path) as workbook:
        xlsx.write_table(workbook, "Chèques", columns, rows, **options)
    return path


def sheet_xml(path: Path, number: int = 1) -> str:
    """The XML of a saved sheet."""
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml").decode()


def reopen_cells(path: Path) -> list[list[openpyxl.cell.Cell]]:
    """The cells of the first sheet, as openpyxl reads them, empty rows included."""
    rows = sheet_xml(path).count("<row ")
    return [list(row) for row in openpyxl.load_workbook(path).worksheets[0].iter_rows(max_row=rows)]


def test_openpyxl_uses_lxml():
    assert openpyxl.LXML is True


def test_values_keep_their_types_and_formats(tmp_path):
    cells = reopen_cells(save_table(tmp_path, [ROW]))[1]
    assert [cell.value for cell in cells] == [
        "PN-0001", datetime(2025, 12, 31), datetime(2026, 1, 31, 9, 5), 1234.56, 1234, 0.035, 2.5,
    ]
    assert [cell.data_type for cell in cells] == ["s", "d", "d", "n", "n", "n", "n"]
    assert [cell.number_format for cell in cells] == [
        "General", "DD/MM/YYYY", "DD/MM/YYYY HH:MM", MONEY, "#,##0", "0.00%", "#,##0.00",
    ]


def test_header_is_bold_frozen_filtered_and_sized(tmp_path):
    path = save_table(tmp_path, [ROW, ROW, ROW])
    sheet = openpyxl.load_workbook(path)["Chèques"]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G4"
    assert sheet.print_title_rows == "$1:$1"  # repeated on every printed page
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ACD"}
    assert widths == {"A": 18, "C": 15, "D": 14}


def test_missing_and_non_finite_values_leave_the_cell_empty(tmp_path):
    row = (None, None, None, Decimal("NaN"), None, float("inf"), float("nan"))
    cells = reopen_cells(save_table(tmp_path, [row, ("", *row[1:])]))
    assert [cell.value for row in cells[1:] for cell in row] == [None] * 14


def test_a_value_is_written_by_its_type_whatever_the_column(tmp_path):
    columns = [Column("a"), Column("b", "money"), Column("c", "integer")]
    cells = reopen_cells(save_table(tmp_path, [(date(2026, 2, 1), "n/a", True)], columns))[1]
    assert (cells[0].value, cells[0].number_format) == (datetime(2026, 2, 1), "DD/MM/YYYY")
    assert (cells[1].value, cells[1].data_type) == ("n/a", "s")
    assert cells[2].value is True


def test_dates_match_openpyxl_serial_numbers_including_before_march_1900(tmp_path):
    days = [date(1900, 1, 1), date(1900, 2, 28), date(1900, 3, 1), date(2026, 1, 31), datetime(2024, 2, 29, 23, 59, 30)]
    columns = [Column(str(number), "datetime") for number in range(len(days))]
    xml = sheet_xml(save_table(tmp_path, [days], columns))
    written = [float(value) for value in re.findall(r'<c r="[A-Z]+2"[^>]*><v>([^<]+)</v>', xml)]
    assert written == pytest.approx([to_excel(day) for day in days])
    assert [cell.value for cell in reopen_cells(tmp_path / "report.xlsx")[1]] == [
        datetime.combine(day, datetime.min.time()) if type(day) is date else day for day in days
    ]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_formula_like_text_stays_identical_text(tmp_path, text):
    columns = [Column(text), Column("b", "money")]
    path = save_table(tmp_path, [(text, text)], columns)
    cells = reopen_cells(path)
    for cell in (cells[0][0], cells[1][0], cells[1][1]):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert not re.search(r"<f[ >]", sheet_xml(path))


def test_formula_like_text_in_key_values_stays_text(tmp_path):
    path = tmp_path / "cover.xlsx"
    with xlsx.writing(path) as workbook:
        xlsx.write_key_values(workbook, "Filtres", [(text, text) for text in FORMULA_LIKE])
    rows = list(openpyxl.load_workbook(path)["Filtres"].iter_rows(values_only=True))
    assert rows == [(text, text) for text in FORMULA_LIKE]
    assert not re.search(r"<f[ >]", sheet_xml(path))


def test_markup_edge_spaces_and_carriage_returns_survive(tmp_path):
    texts = ["a < b & c > d", ' "quoted" ', "line\r\nbreak", "  ", "ﬁn ☃ 𝄞 é"]
    cells = reopen_cells(save_table(tmp_path, [(text,) for text in texts], [Column("t")]))
    assert [row[0].value for row in cells[1:]] == texts
    assert [row[0].quotePrefix for row in cells[1:]] == [False] * len(texts)


def test_characters_xml_cannot_hold_are_dropped(tmp_path):
    texts = ["a\x00b\x08c\x0bd\x1fe", "\ufffe\uffffok", "lone \ud800 surrogate", "\x00=1+1", "\x01"]
    cells = reopen_cells(save_table(tmp_path, [(text,) for text in texts], [Column("t")]))
    assert [row[0].value for row in cells[1:]] == ["abcde", "ok", "lone  surrogate", "=1+1", None]
    assert cells[4][0].quotePrefix


def test_random_text_round_trips(tmp_path):
    alphabet = "ab =+-@&<>\"'\t\n\r\x00\x1f\x7f\x85\xa0é\u2028\ud7ff\ue000\ufffd\ufffe\U0001f600"
    generator = random.Random(7)
    texts = ["".join(generator.choices(alphabet, k=generator.randint(1, 12))) for _ in range(300)]
    cells = reopen_cells(save_table(tmp_path, [(text,) for text in texts], [Column("t")]))
    legal = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    expected = ["".join(legal.findall(text)) or None for text in texts]
    assert [row[0].value for row in cells[1:]] == expected


def test_text_longer_than_excel_allows_is_cut(tmp_path):
    cells = reopen_cells(save_table(tmp_path, [("x" * 40_000,), ("&" * 40_000,)], [Column("t")]))
    assert [row[0].value for row in cells[1:]] == ["x" * 32767, "&" * 32767]


def test_subclasses_are_written_as_their_plain_values(tmp_path):
    class Status(IntEnum):
        PAID = 3

    columns = [Column("a"), Column("b", "integer")]
    cells = reopen_cells(save_table(tmp_path, [(Markup("<b>&</b>"), Status.PAID)], columns))[1]
    assert [cell.value for cell in cells] == ["<b>&</b>", 3]


@pytest.mark.parametrize(
    "row, error",
    [
        (("a", 1), ValueError),  # too short
        (("a", 1, 2, 3), ValueError),  # too long
        ((object(), 1, 2), TypeError),
        ((datetime(2026, 1, 1, tzinfo=timezone.utc), 1, 2), TypeError),
    ],
)
def test_bad_rows_are_refused_and_leave_no_file(tmp_path, row, error):
    with pytest.raises(error):
        save_table(tmp_path, [row], [Column("a"), Column("b"), Column("c")])
    assert list(tmp_path.iterdir()) == []


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown column kind"):
        Column("a", "euros")


def test_progress_is_reported_every_n_rows_and_at_the_end(tmp_path):
    reports: dict[int, list[int]] = {}
    with xlsx.writing(tmp_path / "p.xlsx") as workbook:
        for count in (0, 2000, 2500):
            seen = reports.setdefault(count, [])
            written = xlsx.write_table(workbook, f"t{count}", COLUMNS, [ROW] * count, progress=seen.append)
            assert written == count
    assert reports == {0: [0], 2000: [1000, 2000], 2500: [1000, 2000, 2500]}


def test_large_table_reopens_with_every_row(tmp_path):
    rows = ((f"PN-{n}", date(2026, 1, 1), None, Decimal(n) / 100, n, None, None) for n in range(25_000))
    path = save_table(tmp_path, rows)
    workbook = openpyxl.load_workbook(path, read_only=True)
    last = list(workbook["Chèques"].iter_rows(min_row=25_001, values_only=True))
    workbook.close()
    assert last == [("PN-24999", datetime(2026, 1, 1), None, 249.99, 24999)]  # read-only mode drops empty ends


def test_key_values_are_typed_with_bold_labels(tmp_path):
    path = tmp_path / "cover.xlsx"
    with xlsx.writing(path) as workbook:
        xlsx.write_key_values(workbook, "Filtres", [
            ("Collectivité", "Ville de Test"),
            ("Du", date(2026, 1, 1)),
            ("Édité le", datetime(2026, 2, 3, 10, 30)),
            ("Total remboursé", Decimal("1234.56"), "money"),
            ("Chèques", 123),
            ("Taux moyen", Decimal("0.035"), "percent"),
        ])
    sheet = openpyxl.load_workbook(path)["Filtres"]
    labels, values = zip(*sheet.iter_rows())
    assert all(cell.font.bold for cell in labels) and not any(cell.font.bold for cell in values)
    assert [(cell.value, cell.number_format) for cell in values] == [
        ("Ville de Test", "General"),
        (datetime(2026, 1, 1), "DD/MM/YYYY"),
        (datetime(2026, 2, 3, 10, 30), "DD/MM/YYYY HH:MM"),
        (1234.56, MONEY),
        (123, "#,##0"),
        (0.035, "0.00%"),
    ]
    assert sheet.column_dimensions["A"].width == len("Total remboursé") + 4
    assert sheet.column_dimensions["B"].width == len("2026-02-03 10:30:00") + 4


def test_properties_are_saved(tmp_path):
    path = tmp_path / "p.xlsx"
    with xlsx.writing(path) as workbook:
        xlsx.set_properties(workbook, title="Remboursements", author="Console Pass Numérique",
                            subject="Janvier 2026", description="Ville de Test")
        xlsx.write_table(workbook, "t", COLUMNS, [ROW])
    properties = openpyxl.load_workbook(path).properties
    assert (properties.title, properties.creator, properties.subject, properties.description) == (
        "Remboursements", "Console Pass Numérique", "Janvier 2026", "Ville de Test",
    )


def test_sheet_titles_are_made_acceptable_to_excel(tmp_path):
    path = tmp_path / "t.xlsx"
    with xlsx.writing(path) as workbook:
        xlsx.write_table(workbook, "Chèques 01/2026 [brouillon]", COLUMNS, [])
        xlsx.write_table(workbook, "Remboursements validés par la collectivité", COLUMNS, [])
    assert openpyxl.load_workbook(path).sheetnames == [
        "Chèques 01-2026 -brouillon-", "Remboursements validés par la c",
    ]


def test_charts_are_saved_beside_the_table(tmp_path):
    path = tmp_path / "c.xlsx"
    columns = [Column("Mois"), Column("Chèques", "integer"), Column("Montant", "money")]
    months = [("01/2026", 10, Decimal("100.00")), ("02/2026", 12, Decimal("120.00"))]
    with xlsx.writing(path) as workbook:
        xlsx.write_table(workbook, "Par mois", columns, months)
        sheet = workbook.worksheets[-1]
        xlsx.add_bar_chart(sheet, "Montant par mois", 1, [3], y_title="EUR")
        xlsx.add_line_chart(sheet, "Chèques par mois", 1, [2], anchor="E20")
        xlsx.write_table(workbook, "Vide", columns, [])
        xlsx.add_bar_chart(workbook.worksheets[-1], "Rien", 1, [3])
    with zipfile.ZipFile(path) as archive:
        charts = sorted(name for name in archive.namelist() if name.startswith("xl/charts/"))
        bar, line = (archive.read(name).decode() for name in charts)
        drawing = archive.read("xl/drawings/drawing1.xml").decode()
    assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
    assert "<barChart>" in bar and "'Par mois'!C1" in bar and "'Par mois'!$A$2:$A$3" in bar
    assert "'Par mois'!$C$2:$C$3" in bar and '<delete val="0"/>' in bar
    assert "<lineChart>" in line and "'Par mois'!$B$2:$B$3" in line
    assert "<from><col>4</col><colOff>0</colOff><row>1</row>" in drawing  # E2, beside the table
    assert openpyxl.load_workbook(path)["Par mois"]["C3"].value == 120


def test_chart_needs_a_table(tmp_path):
    with xlsx.writing(tmp_path / "c.xlsx") as workbook:
        xlsx.write_key_values(workbook, "Filtres", [("a", 1)])
        with pytest.raises(ValueError, match="no table"):
            xlsx.add_bar_chart(workbook.worksheets[-1], "x", 1, [2])


def test_save_leaves_only_the_final_file(tmp_path):
    save_table(tmp_path, [ROW])
    assert [path.name for path in tmp_path.iterdir()] == ["report.xlsx"]


def test_failing_rows_leave_no_file_and_keep_the_previous_one(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"previous export")

    def rows():
        yield ROW
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="went away"):
        with xlsx.writing(path) as workbook:
            xlsx.write_table(workbook, "Chèques", COLUMNS, rows())
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
    assert path.read_bytes() == b"previous export"
    assert not Path(workbook.worksheets[0]._writer.out).exists()  # openpyxl's temporary file


def test_failing_save_leaves_no_partial_file(tmp_path):
    path = tmp_path / "report.xlsx"
    workbook = xlsx.new_workbook()
    xlsx.write_table(workbook, "Chèques", COLUMNS, [ROW])

    def broken_save(filename):
        Path(filename).write_bytes(b"PK half a zip")
        raise OSError("disk full")

    workbook.save = broken_save
    with pytest.raises(OSError, match="disk full"):
        xlsx.save(workbook, path)
    assert list(tmp_path.iterdir()) == []
    assert not Path(workbook.worksheets[0]._writer.out).exists()


def test_workbooks_print_landscape_fit_to_width_with_headers_and_whole_charts(tmp_path):
    path = tmp_path / "p.xlsx"
    columns = [Column("Partenaire"), Column("Montant", "money")]
    partners = [(f"Structure {n}", Decimal(n)) for n in range(1, 41)]
    with xlsx.writing(path) as workbook:
        xlsx.write_table(workbook, "Par partenaire", columns, partners)
        sheet = workbook.worksheets[-1]
        xlsx.add_bar_chart(sheet, "Montant par partenaire", 1, [2], below=True, horizontal=True)
        xlsx.add_bar_chart(sheet, "Encore", 1, [2], below=True)
        xlsx.set_print_headers(workbook, "Ville d’Alpha & co", "01/12/2026")
    with zipfile.ZipFile(path) as archive:
        chart, drawing = archive.read("xl/charts/chart1.xml").decode(), archive.read("xl/drawings/drawing1.xml").decode()
    assert '<barDir val="bar"/>' in chart  # horizontal bars: one readable line per partner
    assert "<from><col>0</col><colOff>0</colOff><row>42</row>" in drawing  # A43: under the table
    assert "<from><col>0</col><colOff>0</colOff><row>62</row>" in drawing  # the next one, CHART_ROWS further
    sheet = openpyxl.load_workbook(path)["Par partenaire"]
    setup = sheet.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$1:$1"
    assert [b.id for b in sheet.row_breaks.brk] == [42, 62]  # each chart starts a printed page
    assert sheet.oddHeader.left.text == "Ville d’Alpha && co" and sheet.oddHeader.right.text == "01/12/2026"
    assert sheet.oddFooter.center.text == "&P / &N"
