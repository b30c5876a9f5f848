"""What users read: one label per enum member on every page, dates in DD/MM/YYYY (Paris time), amounts in euros."""
from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import force_locale
from sqlalchemy import Boolean, Date, DateTime, Enum, Numeric, String, select

from console.display import column_formatter
from console.extensions import db
from console.i18n import format_day, format_label
from console.labels import label
from console.money.models import Chequier, ChequierStatus
from console.partners import api as partners_api
from console.partners.models import PartnerStatus
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import login
from tests.money import helpers as money_helpers
from tests.partners.helpers import PDF, acting_as, in_state, outbox

RAW_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def cell(value: str) -> re.Pattern:
    """``value`` alone in an HTML element (a table cell), as FAB prints an unformatted column."""
    return re.compile(r">\s*" + re.escape(value) + r"\s*<")


def test_every_enum_stored_in_a_column_has_a_label_for_each_member(app):
    kinds = {column.type.enum_class for table in Model.metadata.tables.values() for column in table.columns
             if isinstance(column.type, Enum) and column.type.enum_class is not None}
    unlabelled = [f"{kind.__name__}.{member.name}" for kind in kinds for member in kind if label(member) == member.value]
    assert PartnerStatus in kinds and unlabelled == []


def test_a_member_without_a_label_reads_as_its_value():
    class Colour(enum.Enum):
        red = "red"

    assert label(Colour.red) == "red"


def test_the_same_member_reads_the_same_in_both_languages_everywhere(app):
    with force_locale("fr"):
        assert format_label(PartnerStatus.checked) == "Contrôlée par l’opérateur"
    with force_locale("en"):
        assert format_label(PartnerStatus.checked) == "Checked by the operator"


def test_columns_are_formatted_by_type_and_name(app):
    with app.test_request_context(), force_locale("fr"):
        stamp = column_formatter("at", DateTime())
        # Stored as naive UTC, shown in Paris time: +1 in winter, +2 in summer, across midnight.
        assert stamp(datetime(2026, 1, 31, 23, 30)) == "01/02/2026 00:30"
        assert stamp(datetime(2026, 7, 1, 22, 0)) == "02/07/2026 00:00"
        assert column_formatter("on", Date())(date(2026, 3, 5)) == "05/03/2026"
        assert format_day(datetime(2026, 12, 31, 23, 30)) == "01/01/2027"
        assert column_formatter("fixed", Numeric(10, 2))(Decimal("1234.5")) == "1\u00a0234,50\u00a0€"
        assert column_formatter("rate", Numeric(5, 2))(Decimal("2.50")) == "2,5\u00a0%"
        assert column_formatter("late_rate", Numeric(5, 2))(Decimal("3")) == "3\u00a0%"
        assert column_formatter("active", Boolean())(True) == "Oui"
        assert column_formatter("status", Enum(PartnerStatus))("checked") == "Contrôlée par l’opérateur"
        assert [column_formatter(name, kind)(None) for name, kind in
                (("at", DateTime()), ("on", Date()), ("fixed", Numeric()), ("rate", Numeric()), ("active", Boolean()),
                 ("status", Enum(PartnerStatus)), ("phone", String()))] == [""] * 7
        assert column_formatter("roles", String())(["Correspondant", "Élu"]) == "Correspondant, Élu"


def test_the_partner_pages_show_labels_and_french_dates_not_raw_values(client, world):
    pk = in_state(world, PartnerStatus.checked)
    login(client, "alpha-correspondent")
    page = client.get(f"/partnerview/show/{pk}").get_data(as_text=True)
    assert "Contrôlée par l’opérateur" in page and not cell("checked").search(page)
    assert re.search(r">\s*\d{2}/\d{2}/\d{4} \d{2}:\d{2}\s*<", page)  # submitted on, Paris time
    assert not RAW_TIMESTAMP.search(page) and not cell("None").search(page)  # approved on: empty
    listing = client.get("/partnerview/list/").get_data(as_text=True)
    assert "Contrôlée par l’opérateur" in listing and not cell("checked").search(listing)
    english = client.get(f"/partnerview/show/{pk}?_l_=en").get_data(as_text=True)
    assert "Checked by the operator" in english and "Contrôlée" not in english


def test_enum_drop_downs_offer_labels(client, world):
    money_helpers.chequier(world.a.id, "ALP00001", date(2027, 1, 31))
    with scoped(EVERYTHING):
        pk = db.session.scalar(select(Chequier.id).where(Chequier.number == "ALP00001"))
    login(client, "alpha-correspondent")
    form = client.get(f"/chequierview/edit/{pk}").get_data(as_text=True)
    with force_locale("fr"):
        assert all(f">{format_label(status)}</option>" in form for status in ChequierStatus)
    listing = client.get("/chequierview/list/").get_data(as_text=True)
    assert "Remis au prescripteur" in listing and not cell("issued").search(listing)


def test_a_page_outside_the_role_answers_403_in_the_console_layout_and_language(client, world):
    login(client, "alpha-elected")
    response = client.get("/reimbursements/")
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "Accès refusé" in page and "Console Pass Numérique" in page
    assert "You don't have the permission" not in page
    refused = client.post("/complaints/new", data={"description": "x"})  # no CSRF token
    assert refused.status_code == 400 and "Le formulaire a expiré" in refused.get_data(as_text=True)
    missing = client.get("/reimbursements/999999?_l_=en")
    assert missing.status_code in (403, 404) and "Access denied" in missing.get_data(as_text=True)
    # APIs keep their own answers.
    assert client.get("/api/v1/partner/999999").status_code in (401, 403, 404)


def test_the_operators_user_list_reads_in_french(client, world):
    login(client, "operateur")
    page = client.get("/users/list/").get_data(as_text=True)
    assert "Prénom" in page and "First Name" not in page
    assert cell("Oui").search(page) and not cell("True").search(page) and not cell("None").search(page)


def test_the_rejection_e_mail_names_the_reason_as_the_pages_do(world):
    in_state(world, PartnerStatus.rejected)  # rejected for RejectionReason.eligibility
    body = outbox("partner_rejected")[-1].body
    assert "Motif\u00a0: La structure n’est pas éligible" in body and "eligibility" not in body


def test_an_elected_official_reaches_the_cgu_pdf_from_its_page(client, world):
    with acting_as("alpha-correspondent") as actor:
        pk = partners_api.publish_cgu(db.session, "2026-1", date(2026, 1, 1), "cgu.pdf", PDF, actor).id
    login(client, "alpha-elected")
    page = client.get(f"/cguversionview/show/{pk}").get_data(as_text=True)
    assert f'href="/cguversionview/download/{pk}"' in page and "Télécharger le PDF" in page
    assert client.get(f"/cguversionview/download/{pk}").data == PDF
