"""The lists' own filters (« Rechercher ») read dates as French users type them: DD/MM/YYYY, ISO still accepted,
an unreadable one said in French and not applied; the filter's input is French, its hint tied to it."""
import html
from datetime import date

import pytest

from console.extensions import db
from tests.conftest import login, page_text
from tests.money.helpers import chequier

LIST = "/chequierview/list/"
# FAB names a filter by its position among the column's filters: 0 equal, 1 greater, 2 smaller, 3 not equal.
EQUAL, GREATER, SMALLER = "_flt_0_issued_on", "_flt_1_issued_on", "_flt_2_issued_on"


@pytest.fixture
def books(app, world):
    """Chéquiers of A issued on 05/01/2027 (a day dateutil would read as 1 May) and 20/01/2027; one of B on
    20/01/2027, which A's filters must never show."""
    for collectivite, number, issued in ((world.a.id, "FLTA05", date(2027, 1, 5)),
                                         (world.a.id, "FLTA20", date(2027, 1, 20)),
                                         (world.b.id, "FLTB20", date(2027, 1, 20))):
        chequier(collectivite, number, date(2028, 12, 31), issued_on=issued)
    db.session.commit()
    return login(app.test_client(), world.a.users["correspondent"])


def shown(client, query: dict) -> set[str]:
    response = client.get(LIST, query_string=query)
    assert response.status_code == 200
    return {number for number in ("FLTA05", "FLTA20", "FLTB20") if number in page_text(response)}


def test_a_date_filter_reads_french_days_and_iso_links(books):
    for value in ("15/01/2027", "2027-01-15"):
        assert shown(books, {GREATER: value}) == {"FLTA20"}
        assert shown(books, {SMALLER: value}) == {"FLTA05"}
    assert shown(books, {EQUAL: "05/01/2027"}) == {"FLTA05"}  # the day first
    assert shown(books, {EQUAL: "5/1/2027"}) == {"FLTA05"}


def test_an_unreadable_date_is_said_in_french_and_not_applied(books):
    for value in ("31/02/2027", "15/13/2027", "demain", "2027-02-30", "01/01/1850"):
        response = books.get(LIST, query_string={EQUAL: value})
        assert response.status_code == 200
        text = html.unescape(page_text(response)).replace("\u00a0", " ").replace("\u202f", " ")
        assert f"La date « {value} » est illisible : saisissez-la au format JJ/MM/AAAA" in text
        assert text.count("est illisible") == 1  # said once, although FAB applies the filters twice
        # Not applied (FAB's « equal » would have kept only the rows without a date: none), and A's only.
        assert {n for n in ("FLTA05", "FLTA20", "FLTB20") if n in text} == {"FLTA05", "FLTA20"}


def test_the_filter_input_is_french_with_its_hint_tied(books):
    page = books.get(LIST).get_data(as_text=True)
    # FAB's filter script receives each column's input as JSON-escaped HTML.
    source = page.encode().decode("unicode_escape", errors="ignore").replace('\\"', '"')
    start = source.index('id="issued_on-filter-hint"')
    field = source[source.rindex("<input", 0, start):source.index("</span>", start)]
    assert 'data-date-format="dd/mm/yyyy"' in field and 'data-date-week-start="1"' in field
    assert 'data-date-language="fr"' in field and 'aria-describedby="issued_on-filter-hint"' in field
    assert "JJ/MM/AAAA" in field and "yyyy-MM-dd" not in source
