"""The list table's rows: every cell through its column's formatter, escaped unless the formatter says safe."""
from markupsafe import Markup

from console.views.lists import table_rows


def test_each_cell_goes_through_its_columns_formatter_and_rows_keep_their_keys():
    values = [{"name": "Café <b>", "amount": 5}, {"name": "Épicerie", "amount": 0}]
    rows = list(table_rows(values, [7, 3], ["name", "amount"], {"amount": lambda value: Markup(f"<i>{value}</i>")}))

    assert rows == [(7, ["Café <b>", Markup("<i>5</i>")]), (3, ["Épicerie", Markup("<i>0</i>")])]


def test_the_table_escapes_plain_cells_and_keeps_a_formatters_html(app):
    template = app.jinja_env.from_string(
        "{% for pk, cells in rows | table_rows(pks, columns, formatters) %}{{ pk }}:"
        "{% for cell in cells %}[{{ cell }}]{% endfor %}{% endfor %}")
    html = template.render(rows=[{"name": "<script>", "status": "ok"}], pks=[1], columns=["name", "status"],
                           formatters={"status": lambda value: Markup(f"<b>{value}</b>")})

    assert html == "1:[&lt;script&gt;][<b>ok</b>]"


def test_a_columns_filters_are_converted_once_and_handed_out_as_copies(app):
    from console.partners.models import Partner
    from console.views.filters import FrenchFilterConverter
    from console.views.lists import ScaledInterface

    datamodel = ScaledInterface(Partner)
    first = FrenchFilterConverter(datamodel).convert("name")
    first.append("a view's own filter")  # what FAB does with a view's search_filters
    again = FrenchFilterConverter(datamodel).convert("name")

    assert [type(f) for f in again] == [type(f) for f in first[:-1]] and "a view's own filter" not in again
    assert again[0] is first[0]  # the same filter objects: no conversion the second time
    assert {f.column_name for f in again} == {"name"}
