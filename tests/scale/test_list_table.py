"""The list table (console.views.list_table): rows through their formatters, FAB's pagination at its edges,
links that keep every argument of the list's address, sort order said to screen readers."""
import re

from markupsafe import Markup

from console.views.list_table import Address, Link, headings, page_sizes, pagination, table_rows
from tests.conftest import login, make_partner, page_text


def page(number):
    return f"/p{number}"


def test_each_cell_goes_through_its_columns_formatter_and_rows_keep_their_keys():
    values = [{"name": "Café <b>", "amount": 5}, {"name": "Épicerie", "amount": 0}]
    rows = list(table_rows(values, [7, 3], ["name", "amount"], {"amount": lambda value: Markup(f"<i>{value}</i>")}))

    assert rows == [(7, ["Café <b>", Markup("<i>5</i>")]), (3, ["Épicerie", Markup("<i>0</i>")])]


def test_one_page_of_rows_has_no_pagination_and_no_page_sizes():
    assert pagination(0, 25, 25, page) == [] and page_sizes(0, 25, 25, page) == []
    assert pagination(0, 25, 0, page) == []


def test_one_row_more_than_a_page_makes_a_second_page():
    assert pagination(0, 25, 26, page) == [Link("«", None), Link("<", None), Link("1", None, True),
                                           Link("2", "/p1"), Link(">", "/p1"), Link("»", None)]


def test_the_first_pages_link_seven_pages_and_the_last_one():
    links = pagination(0, 25, 1000, page)  # 40 pages

    assert [link.label for link in links] == ["«", "<", "1", "2", "3", "4", "5", "6", "7", ">", "»"]
    assert links[0].href is None and links[1].href is None and links[-1].href == "/p39"


def test_a_middle_page_links_three_pages_each_side_and_both_ends():
    links = pagination(20, 25, 1000, page)

    assert [link.label for link in links[2:-2]] == [str(number) for number in range(18, 25)]
    assert [link for link in links if link.active] == [Link("21", None, True)]
    assert (links[0].href, links[1].href, links[-2].href, links[-1].href) == ("/p0", "/p19", "/p21", "/p39")


def test_the_last_page_links_the_seven_before_it_and_no_next():
    links = pagination(39, 25, 1000, page)

    assert [link.label for link in links[2:-2]] == [str(number) for number in range(34, 41)]
    assert links[-2].href is None and links[-1].href is None and links[0].href == "/p0"


def test_page_sizes_offered_are_those_whose_page_still_has_rows():
    assert [link.label for link in page_sizes(0, 25, 60, page)] == ["25", "50", "75", "100"]
    assert [link.label for link in page_sizes(2, 25, 60, page)] == ["25"]  # page 3 at 50 rows would be empty
    assert [link.active for link in page_sizes(0, 50, 60, page)] == [False, True, False, False]


def test_links_keep_every_argument_of_the_address_repeated_ones_included(app):
    with app.test_request_context("/partnerview/list/?_flt_0_city=Foix&_flt_0_city=Pamiers&page_PartnerView=2"):
        link = Address().with_args(page_PartnerView=0)

    assert link == "/partnerview/list/?_flt_0_city=Foix&_flt_0_city=Pamiers&page_PartnerView=0"


def test_the_sorted_column_says_its_order_and_links_to_the_other_one(app):
    labels = {"identifier": "Identifiant", "name": "Nom", "city": "Ville"}
    columns, sortable = ["identifier", "name", "city"], ["identifier", "name"]
    with app.test_request_context("/partnerview/list/?_oc_PartnerView=name&_od_PartnerView=asc"):
        by_name = headings(columns, labels, sortable, "PartnerView", Address(), ("identifier", "asc"))
    with app.test_request_context("/partnerview/list/"):
        by_default = headings(columns, labels, sortable, "PartnerView", Address(), ("identifier", "asc"))

    assert [heading.order for heading in by_name] == ["", "ascending", ""]
    assert by_name[1].href.endswith("_oc_PartnerView=name&_od_PartnerView=desc")
    assert by_name[0].href.endswith("_oc_PartnerView=identifier&_od_PartnerView=asc")
    assert by_name[2].href is None  # not sortable: no link
    assert [heading.order for heading in by_default] == ["ascending", "", ""]  # the view's own order
    assert by_default[0].href.endswith("_od_PartnerView=desc")


def test_a_list_page_escapes_its_cells_and_names_its_sort_and_buttons(client, world):
    partner = make_partner(world.a.collectivite, name="<script>alert(1)</script>")
    login(client, world.a.users["correspondent"])
    html = page_text(client.get("/partnerview/list/?_l_=en"))

    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # sorted by identifier when the address names no order; its link sorts the other way, the language kept
    assert ('<th aria-sort="ascending"><a href="/partnerview/list/?_l_=en&amp;_oc_PartnerView=identifier'
            '&amp;_od_PartnerView=desc">') in html
    assert f'href="/partnerview/show/{partner}"' in html and f'value="{partner}"' in html
    assert "Record Count:" in html and 'action="/partnerview/action_post"' in html


def test_built_in_roles_can_be_neither_ticked_nor_edited(client, world, app):
    login(client, world.operator)
    html = client.get("/roles/list/?_l_=en").get_data(as_text=True)
    rows = {row.split("<td>")[-2].split("</td>")[0]: row for row in html.split("<tr>") if "/roles/show/" in row}

    builtin = set(app.appbuilder.sm.builtin_roles)
    assert builtin and builtin < set(rows) and set(rows) - builtin  # the public role is not built in
    for name, row in rows.items():
        assert ("Edit record" in row and 'name="rowid"' in row) is (name not in builtin), name
    assert "&#39;.*&#39;" in rows["Opérateur"]  # its configured permissions


def test_a_list_shows_its_rows_in_the_views_order_or_the_one_asked_for_with_the_id_last(client, world):
    created = [make_partner(world.a.collectivite, name=name, number=number)
               for number, name in enumerate(["Café", "Atelier", "Café", "Bibliothèque"])]
    login(client, world.a.users["correspondent"])

    def shown(query=""):
        html = client.get(f"/partnerview/list/{query}").get_data(as_text=True)
        return [int(pk) for pk in re.findall(r'name="rowid" value="(\d+)"', html)]

    assert shown() == created  # by identifier, given in creation order
    by_name = shown("?_oc_PartnerView=name&_od_PartnerView=asc")
    assert by_name == [created[1], created[3], created[0], created[2]]  # the two « Café » by id, in its direction
    assert shown("?_oc_PartnerView=name&_od_PartnerView=desc") == by_name[::-1]


def test_reloading_a_list_rewrites_no_session_cookie_and_back_still_leads_to_the_page_before(client, world):
    login(client, world.a.users["correspondent"])
    client.get("/partnerview/list/")
    first_again = client.get("/partnerview/list/")
    other = client.get("/partnerview/list/?psize_PartnerView=50")
    back = client.get("/back")

    assert "Set-Cookie" not in first_again.headers  # the history already ends with this address
    assert "Set-Cookie" in other.headers
    assert back.status_code == 302 and back.headers["Location"].endswith("/partnerview/list/")
