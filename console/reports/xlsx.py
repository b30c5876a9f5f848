"""Streaming Excel writer shared by every report: typed tables, cover sheets, charts, atomic save.

Rows are formatted here as SpreadsheetML text and written straight into the
file of openpyxl's write-only sheet, instead of going through one openpyxl cell
object per value: that is what makes it faster than xlsxwriter (see
bench/xlsx_writers.py). Everything else (styles, column widths, frozen pane,
autofilter, charts, properties, the zip) is plain openpyxl. No Flask here:
callers pass text already translated.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from math import isfinite
from typing import Any, Literal, NamedTuple

from openpyxl import LXML, Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import NumFmt
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

if not LXML:  # rows are written into lxml's output stream: see _sheet_data
    raise ImportError("console.reports.xlsx needs openpyxl to use lxml: install lxml, unset OPENPYXL_LXML")

Kind = Literal["text", "integer", "money", "decimal", "percent", "date", "datetime"]

NUMBER_FORMATS: dict[str, str | None] = {
    "text": None,
    "integer": "#,##0",
    # The escaped space and quoted unit are what Excel writes for its own
    # currency formats; French Excel and LibreOffice show 1 234,56 €.
    "money": '#,##0.00\\ "€"',
    "decimal": "#,##0.00",
    "percent": "0.00%",
    "date": "DD/MM/YYYY",
    "datetime": "DD/MM/YYYY HH:MM",
}

_MAX_TEXT = 32767  # Excel's limit on the length of a cell's text
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XML_SPACE = " \t\n\r"
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # outside XML 1.0's Char
# Anything a string needs beyond being copied between <t> and </t>.
_SPECIAL = re.compile(rf"^[=+\-@\s]|\s$|[&<>\r]|{_ILLEGAL.pattern}")
_INVALID_TITLE = re.compile(r"[\\*?:/\[\]]")
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class Column:
    """One column of a table: its translated header, what it holds, its width in characters."""

    header: str
    kind: Kind = "text"
    width: float = 15

    def __post_init__(self) -> None:
        _check_kind(self.kind)


class _Styles(NamedTuple):
    """The ` s="N"` attribute of a column's cells, by what the value is."""

    value: str
    date: str
    datetime: str
    guarded: str  # text that a spreadsheet would otherwise take for a formula


_CellWriter = Callable[[Any, str, _Styles], str]


#: Rows a chart placed under its table takes (its default 7.5 cm height, and a margin).
CHART_ROWS = 20


def new_workbook() -> Workbook:
    """An empty streaming workbook: rows go to temporary files, not to memory."""
    return Workbook(write_only=True)


@contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[Workbook]:
    """Yield a new workbook and save it atomically at `path`; on any error leave no file behind."""
    workbook = new_workbook()
    try:
        yield workbook
    except BaseException:
        _discard(workbook)
        raise
    save(workbook, path)


def save(workbook: Workbook, path: str | os.PathLike[str]) -> None:
    """Save to `path`.part then rename it, so no reader ever sees a partial file under `path`."""
    part = f"{os.fspath(path)}.part"
    try:
        workbook.save(part)
        os.replace(part, path)
    except BaseException:
        _discard(workbook)
        with suppress(FileNotFoundError):
            os.remove(part)
        raise


def set_properties(
    workbook: Workbook, *, title: str, author: str, subject: str = "", description: str = ""
) -> None:
    """Set the document properties shown by File > Properties."""
    props = workbook.properties
    props.title, props.subject, props.description = title, subject or None, description or None
    props.creator = props.lastModifiedBy = author


def write_table(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    progress: Callable[[int], object] | None = None,
    every: int = 1000,
) -> int:
    """Add a sheet with a bold, frozen, filterable header and typed rows; return the number of rows."""
    if not columns or every < 1:
        raise ValueError("a table needs at least one column, and every must be at least 1")
    sheet = _new_sheet(workbook, title, [column.width for column in columns])
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    letters = [get_column_letter(number) for number in range(1, len(columns) + 1)]
    bold = _styles(sheet, "text", bold=True)
    header = [(letter, bold) for letter in letters]
    cells = [(letter, _styles(sheet, column.kind)) for letter, column in zip(letters, columns)]
    count = 0
    with _sheet_data(sheet) as write:
        write(_row_xml(1, [column.header for column in columns], header))
        for count, values in enumerate(rows, 1):
            write(_row_xml(count + 1, values, cells))
            if progress and count % every == 0:
                progress(count)
    sheet.auto_filter.ref = f"A1:{letters[-1]}{count + 1}"
    if progress and (count % every or not count):
        progress(count)
    return count


def write_key_values(
    workbook: Workbook,
    title: str,
    pairs: Iterable[tuple[str, object] | tuple[str, object, Kind]],
) -> None:
    """Add a sheet of bold labels and typed values (a report's cover and filters).

    A value's kind is guessed from its type unless given: pass "money" for amounts.
    """
    items = [(label, value, kind[0] if kind else _kind_of(value)) for label, value, *kind in pairs]
    widths = [_fit(label for label, _, _ in items), max(20, _fit(str(value) for _, value, _ in items))]
    sheet = _new_sheet(workbook, title, widths)
    label = ("A", _styles(sheet, "text", bold=True))
    with _sheet_data(sheet) as write:
        for number, (text, value, kind) in enumerate(items, 1):
            write(_row_xml(number, (text, value), [label, ("B", _styles(sheet, _check_kind(kind)))]))


def add_bar_chart(
    sheet: WriteOnlyWorksheet,
    title: str,
    categories: int,
    values: Sequence[int],
    *,
    anchor: str | None = None,
    x_title: str = "",
    y_title: str = "",
    below: bool = False,
    horizontal: bool = False,
) -> None:
    """Chart as columns the `values` columns of a table against its `categories` column (1-based).

    ``below``: under the table, starting a printed page (so it prints whole); ``horizontal``: bars drawn
    across, one line per category, the chart as tall as needed for every label to be read."""
    chart = BarChart()
    if horizontal:
        chart.type = "bar"
    _add_chart(sheet, chart, title, categories, values, anchor, x_title, y_title, below, horizontal)


def add_line_chart(
    sheet: WriteOnlyWorksheet,
    title: str,
    categories: int,
    values: Sequence[int],
    *,
    anchor: str | None = None,
    x_title: str = "",
    y_title: str = "",
    below: bool = False,
) -> None:
    """Chart as lines the `values` columns of a table against its `categories` column (1-based)."""
    _add_chart(sheet, LineChart(), title, categories, values, anchor, x_title, y_title, below)


def _add_chart(
    sheet: WriteOnlyWorksheet,
    chart: BarChart | LineChart,
    title: str,
    categories: int,
    values: Sequence[int],
    anchor: str | None,
    x_title: str,
    y_title: str,
    below: bool = False,
    tall: bool = False,
) -> None:
    """Fill `chart` from the table write_table put on `sheet` and place it beside (or below) the table."""
    if sheet.auto_filter.ref is None:
        raise ValueError(f"sheet {sheet.title!r} holds no table written by write_table")
    _, _, last_column, last_row = range_boundaries(sheet.auto_filter.ref)
    if last_row < 2:
        return  # no data rows: an empty chart would only confuse
    for column in values:
        chart.add_data(Reference(sheet, min_col=column, min_row=1, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=categories, min_row=2, max_row=last_row))
    chart.title = title
    chart.x_axis.title = x_title or None
    chart.y_axis.title = y_title or None
    chart.y_axis.numFmt = NumFmt(formatCode="General", sourceLinked=True)  # the table's format: EUR, %...
    # openpyxl 3.1 leaves <c:delete> out, which Excel has been reported to read as "hidden".
    chart.x_axis.delete = chart.y_axis.delete = False
    if tall:  # one category per 0.6 cm: the labels of a long list of partners do not overlap
        chart.height = max(chart.height, 0.6 * (last_row - 1) + 3)
    if below:
        # Each chart starts a printed page, CHART_ROWS rows under the previous one: none is cut by a break.
        top = last_row + 2 + CHART_ROWS * len(sheet._charts)
        sheet.row_breaks.append(Break(id=top - 1))
        anchor = f"A{top}"
        chart.width = 24
    sheet.add_chart(chart, anchor or f"{get_column_letter(last_column + 2)}2")


def set_print_headers(workbook: Workbook, left: str, right: str) -> None:
    """Printed pages carry ``left`` (the collectivité) and ``right`` (the date) on top, page numbers below."""
    for sheet in workbook.worksheets:
        sheet.oddHeader.left.text = left.replace("&", "&&")
        sheet.oddHeader.right.text = right.replace("&", "&&")
        sheet.oddFooter.center.text = "&P / &N"


def _new_sheet(workbook: Workbook, title: str, widths: Sequence[float]) -> WriteOnlyWorksheet:
    """A write-only sheet with a title Excel accepts and the given column widths."""
    sheet = workbook.create_sheet(_INVALID_TITLE.sub("-", title)[:31].strip("'") or None)
    # Printing: landscape, every column on the page's width (as many pages down as needed).
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    for number, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    return sheet


class _SheetWriter(WorksheetWriter):
    """openpyxl's writer of a write-only sheet, over a file that rows can also be written to as text."""

    def get_stream(self) -> Generator[object, object, None]:
        """openpyxl's own stream (WorksheetWriter.get_stream), but keeping the file object."""
        with open(self.out, "wb") as self.file, xmlfile(self.file) as xf:
            with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                try:
                    while True:
                        element = yield
                        if element is True:
                            yield xf
                        elif element is not None:
                            xf.write(element)
                except GeneratorExit:
                    pass


@contextmanager
def _sheet_data(sheet: WriteOnlyWorksheet) -> Iterator[Callable[[str], object]]:
    """Own the sheet's <sheetData>: yield a function writing a row given as XML text."""
    writer = sheet._writer = _SheetWriter(sheet)
    writer.write_top()  # what precedes the rows: views (frozen pane), column widths
    xf = writer.xf.send(True)
    with xf.element("sheetData"):
        xf.flush()  # the rows' text must follow <sheetData> in the file
        yield lambda row: writer.file.write(row.encode())
    writer.xf.send(None)
    sheet._rows = (row for row in ())  # so that close() does not write a second <sheetData>


def _discard(workbook: Workbook) -> None:
    """Delete the temporary files of an unsaved workbook, which openpyxl keeps until the process exits."""
    for sheet in workbook.worksheets:
        writer = getattr(sheet, "_writer", None)
        if writer is not None:
            with suppress(Exception):
                writer.close()
            with suppress(OSError, ValueError):
                writer.cleanup()


def _row_xml(number: int, values: Iterable[object], cells: Sequence[tuple[str, _Styles]]) -> str:
    """One <row>: `cells` gives each column's letter and styles."""
    row = str(number)
    xml = "".join([
        _CELL_XML[type(value)](value, letter + row, styles)
        for (letter, styles), value in zip(cells, values, strict=True)
    ])
    return f'<row r="{row}">{xml}</row>'


def _empty(value: object, ref: str, styles: _Styles) -> str:
    """No cell at all for a missing value."""
    return ""


def _number(value: int | float | Decimal, ref: str, styles: _Styles) -> str:
    """A number cell; str() of an int, float or Decimal is a valid xsd:double."""
    return f'<c r="{ref}"{styles.value}><v>{value}</v></c>'


def _real(value: float | Decimal, ref: str, styles: _Styles) -> str:
    """A number cell, or none for NaN and infinities, which Excel cannot hold."""
    return _number(value, ref, styles) if isfinite(value) else ""


def _boolean(value: bool, ref: str, styles: _Styles) -> str:
    """A TRUE/FALSE cell."""
    return f'<c r="{ref}"{styles.value} t="b"><v>{value:d}</v></c>'


def _date(value: date, ref: str, styles: _Styles) -> str:
    """A date, as Excel's serial day number."""
    return f'<c r="{ref}"{styles.date}><v>{_serial_day(value)}</v></c>'


def _datetime(value: datetime, ref: str, styles: _Styles) -> str:
    """A date and time, as a serial day number and a fraction of a day."""
    if value.tzinfo is not None:
        raise TypeError(f"Excel has no time zones: convert {value} to local time first")
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return f'<c r="{ref}"{styles.datetime}><v>{_serial_day(value) + seconds / 86400}</v></c>'


def _serial_day(value: date) -> int:
    """Excel's day number of a date (1900 date system)."""
    days = value.toordinal() - _EXCEL_EPOCH
    return days - 1 if 0 < days <= 60 else days  # Excel counts a 29/02/1900 that never was


def _text(value: str, ref: str, styles: _Styles) -> str:
    """An inline string cell; only unusual strings take the slow path."""
    if len(value) > _MAX_TEXT or _SPECIAL.search(value):
        return _careful_text(value, ref, styles)
    return f'<c r="{ref}"{styles.value} t="inlineStr"><is><t>{value}</t></is></c>' if value else ""


def _careful_text(value: str, ref: str, styles: _Styles) -> str:
    """Drop characters XML cannot hold, escape markup, keep edge spaces, and keep formula-like text as text."""
    value = _ILLEGAL.sub("", value)[:_MAX_TEXT]
    if not value:
        return ""
    # An inline string is never evaluated; the quote prefix keeps it text when a user edits the cell.
    style = styles.guarded if value.startswith(_FORMULA_STARTS) else styles.value
    space = ' xml:space="preserve"' if value != value.strip(_XML_SPACE) else ""
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


class _CellWriters(dict[type, _CellWriter]):
    """Cell XML writers by value type; a subclass of a known type is written as its parent."""

    def __missing__(self, kind: type) -> _CellWriter:
        base = next((base for base in kind.__mro__ if base in self), None)
        if base is None:
            raise TypeError(f"cannot write a {kind.__name__} value in an Excel cell")
        parent = self[base]
        if base in (str, int, float, Decimal):
            # Write the plain value: a subclass may format or escape itself (Markup, IntEnum).
            def writer(value: object, ref: str, styles: _Styles) -> str:
                return parent(base(value), ref, styles)
        else:
            writer = parent
        self[kind] = writer
        return writer


_CELL_XML = _CellWriters({
    type(None): _empty,
    str: _text,
    bool: _boolean,
    int: _number,
    float: _real,
    Decimal: _real,
    datetime: _datetime,
    date: _date,
})

_DEFAULT_KINDS: tuple[tuple[type | tuple[type, ...], Kind], ...] = (
    (bool, "text"),
    (datetime, "datetime"),
    (date, "date"),
    (int, "integer"),
    ((float, Decimal), "decimal"),
)


def _kind_of(value: object) -> Kind:
    """The kind a value shows as when none is given."""
    return next((kind for types, kind in _DEFAULT_KINDS if isinstance(value, types)), "text")


def _check_kind(kind: str) -> str:
    """`kind`, if it is one of NUMBER_FORMATS."""
    if kind not in NUMBER_FORMATS:
        raise ValueError(f"unknown column kind {kind!r}, expected one of {', '.join(NUMBER_FORMATS)}")
    return kind


def _fit(texts: Iterable[str]) -> float:
    """A column width that shows the longest of `texts`."""
    return min(max((len(text) for text in texts), default=0) + 4, 80)


def _styles(sheet: WriteOnlyWorksheet, kind: str, *, bold: bool = False) -> _Styles:
    """The styles of a column of `kind`, registered once in the workbook's style table."""
    number_format = NUMBER_FORMATS[kind]
    temporal = kind in ("date", "datetime")
    return _Styles(
        value=_style(sheet, number_format, bold=bold),
        date=_style(sheet, number_format if temporal else NUMBER_FORMATS["date"], bold=bold),
        datetime=_style(sheet, number_format if temporal else NUMBER_FORMATS["datetime"], bold=bold),
        guarded=_style(sheet, None, bold=bold, quote_prefix=True),
    )


def _style(sheet: WriteOnlyWorksheet, number_format: str | None, *, bold: bool, quote_prefix: bool = False) -> str:
    """The ` s="N"` attribute of a cell style; openpyxl adds the style to the workbook once."""
    cell = WriteOnlyCell(sheet)
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = _BOLD
    if quote_prefix:
        cell.quotePrefix = True
    return f' s="{cell.style_id}"' if cell.has_style else ""
