"""The summary workbook for elected officials: key figures, month by month and per partner, with charts."""
from __future__ import annotations

from flask_babel import format_date, gettext

from console.reports import figures as figures_module
from console.reports import xlsx
from console.reports.figures import KeyFigures
from console.reports.report import Report
from console.reports.xlsx import Column


def key_figure_labels() -> list[tuple[str, str, xlsx.Kind]]:
    """(KeyFigures field, translated label, cell kind), in the order of the cover sheet."""
    return [
        ("chequiers_issued", gettext("Chéquiers issued"), "integer"),
        ("chequiers_distributed", gettext("Chéquiers distributed"), "integer"),
        ("chequiers_not_distributed", gettext("Chéquiers not distributed"), "integer"),
        ("chequiers_started", gettext("Chéquiers started"), "integer"),
        ("partners_approved", gettext("Partners approved"), "integer"),
        ("cheques_reimbursed", gettext("Cheques reimbursed"), "integer"),
        ("gross", gettext("Gross amount"), "money"),
        ("fees", gettext("Fees"), "money"),
        ("net", gettext("Net amount reimbursed"), "money"),
        ("average_days_to_payment", gettext("Average days from validation to payment"), "decimal"),
        ("overdue", gettext("Requests paid late or overdue"), "integer"),
        ("complaints_received", gettext("Complaints received"), "integer"),
        ("complaints_accepted", gettext("Complaints accepted"), "integer"),
        ("complaints_out_of_time", gettext("Complaints out of time"), "integer"),
    ]


def cover(report: Report, key: KeyFigures) -> None:
    """The first sheet: the period, then one key figure a line."""
    period = gettext("From %(start)s to %(end)s", start=format_date(report.period_start, "dd/MM/yyyy"),
                     end=format_date(report.period_end, "dd/MM/yyyy"))
    pairs: list[tuple] = [(gettext("Period"), period)]
    pairs += [(label, getattr(key, name), kind) for name, label, kind in key_figure_labels()]
    xlsx.write_key_values(report.workbook, gettext("Key figures"), pairs)


def month_sheet(report: Report) -> None:
    """Month by month, with cheques reimbursed (columns) and net amount (line) charts."""
    rows = figures_module.monthly(report.session, report.scope, report.period_start, report.period_end)
    columns = [
        Column(gettext("Month"), "text", 12),
        Column(gettext("Chéquiers issued"), "integer", 12),
        Column(gettext("Cheques accepted"), "integer", 12),
        Column(gettext("Cheques reimbursed"), "integer", 12),
        Column(gettext("Gross amount"), "money", 16),
        Column(gettext("Fees"), "money", 14),
        Column(gettext("Net amount"), "money", 16),
        Column(gettext("Complaints"), "integer", 12),
    ]
    report.progress.expect(len(rows))
    values = ((format_date(row.month, "MM/yyyy"), *figures_module.as_row(row)[1:]) for row in rows)
    sheet = report.table(gettext("By month"), columns, values)
    xlsx.add_bar_chart(sheet, gettext("Cheques reimbursed per month"), 1, [4], below=True,
                       x_title=gettext("Month"), y_title=gettext("Cheques"))
    xlsx.add_line_chart(sheet, gettext("Net amount reimbursed per month"), 1, [7], below=True,
                        x_title=gettext("Month"), y_title=gettext("EUR"))


def partner_sheet(report: Report) -> None:
    """What each partner was paid, with an amount-per-partner chart."""
    rows = figures_module.per_partner(report.session, report.scope, report.period_start, report.period_end)
    columns = [
        Column(gettext("Partner identifier"), "text", 20),
        Column(gettext("Partner"), "text", 36),
        Column(gettext("Requests paid"), "integer", 12),
        Column(gettext("Cheques reimbursed"), "integer", 12),
        Column(gettext("Gross amount"), "money", 16),
        Column(gettext("Fees"), "money", 14),
        Column(gettext("Net amount"), "money", 16),
    ]
    report.progress.expect(len(rows))
    sheet = report.table(gettext("By partner"), columns, map(figures_module.as_row, rows))
    xlsx.add_bar_chart(sheet, gettext("Net amount per partner"), 2, [7], below=True, horizontal=True,
                       x_title=gettext("Partner"), y_title=gettext("EUR"))


def build(report: Report) -> None:
    """Cover, month by month, per partner (the job adds the filters sheet)."""
    key = figures_module.key_figures(report.session, report.scope, report.period_start, report.period_end,
                                     report.today)
    cover(report, key)
    month_sheet(report)
    partner_sheet(report)
