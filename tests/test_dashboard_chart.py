"""Dashboard charts carry their values, a value axis and their figures as a table (the text alternative)."""
from decimal import Decimal

import pytest

from console.views.dashboard import CHART_HEIGHT, bar_chart


@pytest.fixture
def french_request(session_app):
    with session_app.test_request_context("/?_l_=fr"):
        yield


def test_a_money_chart_has_values_an_axis_and_scaled_bars(french_request):
    chart = bar_chart("Montant net", ["01/26", "02/26"], [Decimal("1234.5"), Decimal("0")], "EUR")
    assert [bar["value"] for bar in chart["bars"]] == ["1\u00a0234,50\u00a0€", "0,00\u00a0€"]
    assert [bar["height"] for bar in chart["bars"]] == [CHART_HEIGHT, 0]
    assert [tick["label"] for tick in chart["axis"]] == ["0,00\u00a0€", "1\u00a0234,50\u00a0€"]


def test_an_empty_period_draws_an_empty_chart(french_request):
    chart = bar_chart("Chèques", [], [])
    assert chart["bars"] == [] and [tick["label"] for tick in chart["axis"]] == ["0", "0"]
