"""The dashboard: the key figures of a period and two month-by-month charts, for the user's collectivité."""
from __future__ import annotations

from typing import Any, Optional

from flask import g, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import format_date, format_decimal, gettext

from console.errors import DomainError
from console.extensions import db
from console.money.dates import paris_day
from console.i18n import format_money
from console.reports import api as reports_api
from console.reports import aggregates, figures
from console.reports.access import sees_money
from console.reports.summary import key_figure_labels
from console.tenants.context import Scope, current_scope, only
from console.tenants.models import utcnow
from console.views.choices import collectivite_picker
from console.views.reports import query_day

CHART_HEIGHT = 120
AXIS_WIDTH = 64  # room for the value axis' labels, left of the bars
BAR_STEP = 36


def _scope(collectivite_id: Optional[int]) -> Scope:
    """The request's scope; an operator may narrow it to one collectivité."""
    scope = current_scope()
    if scope.everything and collectivite_id is not None:
        return only(collectivite_id)
    return scope


def display(value: Any, kind: str) -> str:
    """A figure as the user reads it: 1 234,56 €, 12,5, 1 234."""
    if value is None:
        return "–"
    if kind == "money":
        return format_money(value)
    return format_decimal(value)


def bar_chart(title: str, labels: list[str], values: list[Any], unit: str = "") -> dict[str, Any]:
    """An inline SVG bar chart (no JavaScript library): a value axis from 0 to the largest value, each bar
    with its value; the page also gives the figures as a table, the chart's text alternative."""
    largest = max(values, default=0) or 0
    top = float(largest) or 1
    shown = format_money if unit else format_decimal
    bars = [
        {"x": AXIS_WIDTH + i * BAR_STEP + 4, "height": round(float(v) / top * CHART_HEIGHT), "label": label,
         "value": shown(v), "short": format_decimal(v, format="#,##0")}
        for i, (label, v) in enumerate(zip(labels, values))
    ]
    axis = [{"y": CHART_HEIGHT + 20, "label": shown(0)}, {"y": 20, "label": shown(largest)}]
    return {"title": title, "bars": bars, "width": AXIS_WIDTH + len(bars) * BAR_STEP + 8, "height": CHART_HEIGHT,
            "unit": unit, "axis": axis, "axis_x": AXIS_WIDTH}


class DashboardView(BaseView):
    """Key figures and charts; support agents see no money figure."""

    route_base = "/dashboard"
    class_permission_name = "Dashboard"
    default_view = "show"
    base_permissions = ["can_show"]

    @expose("/")
    @has_access
    def show(self):
        today = paris_day(utcnow())  # the server's day in Paris, not the machine's
        start = query_day("start", today.replace(month=1, day=1))
        end = query_day("end", today)
        error = None
        try:
            reports_api.check_period(start, end)
        except DomainError as refused:
            error, start, end = str(refused), today.replace(month=1, day=1), today
        money = sees_money(g.user.role_names)
        picked = request.args.get("collectivite", "")
        scope = _scope(int(picked) if picked.isdigit() else None)
        # The daily figures of the periodic job (reports/aggregates.py), not millions of live rows.
        key, months = aggregates.period(db.session, scope, start, end, today)
        shown = vars(key) if money else figures.without_money(key)
        lines = [(label, display(shown[name], kind)) for name, label, kind in key_figure_labels() if name in shown]
        labels = [format_date(row.month, "MM/yy") for row in months]
        charts = [bar_chart(gettext("Cheques accepted per month"), labels, [m.cheques_accepted for m in months])]
        if money:
            charts = [
                bar_chart(gettext("Cheques reimbursed per month"), labels, [m.cheques_reimbursed for m in months]),
                bar_chart(gettext("Net amount reimbursed per month"), labels, [m.net for m in months], "EUR"),
            ]
        # Operators narrow the dashboard to one collectivité by name (a hundred: no drop-down of them all).
        picker = collectivite_picker(picked, gettext("All collectivités")) if current_scope().everything else None
        return self.render_template(
            "reports/dashboard.html", lines=lines, charts=charts, start=start, end=end, error=error,
            collectivite_picker=picker,
            refreshed_at=aggregates.refreshed_at(db.session, scope), everything=scope.everything,
            refresh_minutes=round(aggregates.REFRESH_EVERY / 60),
        )
