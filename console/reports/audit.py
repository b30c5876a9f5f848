"""The audit trail export: the events of the period (Paris days), oldest first, with their chain and hash."""
from __future__ import annotations

from typing import Any, Sequence

from flask_babel import gettext
from sqlalchemy import Select

from console.audit import read
from console.audit.actions import ACTIONS
from console.audit.models import AuditEvent
from console.i18n import format_label
from console.reports.models import ExportKind
from console.reports.report import Report
from console.reports.xlsx import Column


def columns() -> list[Column]:
    return [
        Column(gettext("When (UTC)"), "datetime", 17),
        Column(gettext("User name"), "text", 24),
        Column(gettext("Name"), "text", 24),
        Column(gettext("Action"), "text", 32),
        Column(gettext("Object"), "text", 20),
        Column(gettext("Id"), "text", 10),
        Column(gettext("Details"), "text", 60),
        Column(gettext("Address"), "text", 16),
        Column(gettext("Event"), "text", 22),
        Column(gettext("Hash"), "text", 66),
    ]


def statement(report: Report) -> Select:
    """The page's own query (tenant clause included) over the export's scope and period, oldest first."""
    events = read.events(read.Filters(report.period_start, report.period_end), report.scope)
    return (events.with_only_columns(AuditEvent.at, AuditEvent.actor_login, AuditEvent.actor_name,
                                     AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
                                     AuditEvent.details, AuditEvent.client_address, AuditEvent.chain,
                                     AuditEvent.seq, AuditEvent.hash)
            .order_by(None).order_by(AuditEvent.at, AuditEvent.id))


def build(report: Report) -> None:
    """One sheet, one row per event; the time is the stored UTC time."""
    def convert(row: Sequence[Any]) -> tuple:
        at, login, name, action, kind, ref, details, address, chain, seq, digest = row
        return (at, login, name, gettext(ACTIONS.get(action, action)), kind, ref, details, address,
                f"{chain} #{seq}", digest)

    report.query_table(format_label(ExportKind.audit), columns(), statement(report), convert)
