"""Every page of every role in Debian's Chromium: accessible (axe-core), French, no script error, 390 px wide.

Each page is visited once (``visits``); the tests below read what was recorded. The screenshots of
every page, desktop and 390 px wide, are kept in ``screenshots/`` (gitignored) with ``axe-report.json``.
"""
from __future__ import annotations

import json
import os
import re
from collections import defaultdict

import pytest

from tests.conftest import PASSWORD
from tests.ui.conftest import ROLES, SCREENSHOTS
from tests.ui.crawl import crawl

pytestmark = pytest.mark.browser

#: Flask-AppBuilder leftovers: English words, and French that is wrong (« article », « registre »).
ENGLISH = re.compile(r"\b(Add|Edit|Delete|Show|Search|Record|record|Records|Save|Back|Refresh|Login|Logout|Profile|"
                     r"Cancel|Submit|Yes|No|None|Select|Remove|Close|Filters?|Previous|Next|Home|Loading|"
                     r"Download|Welcome|True|False|List|User|Users|Roles?|rows|Edition|registre|"
                     r"deconnecter|Editer|Afficer)\b")
#: A space that may break (or none) before « ; ! ? » or a colon ending a label: French wants U+00A0 or U+202F.
BREAKING_BEFORE_PUNCTUATION = re.compile(r"[^\u00a0\u202f\d\s/][;!?](?=\s|$)|[^\u00a0\u202f\d\s/:]( ?):(?=\s|$)")


@pytest.fixture(scope="module")
def visited(demo_server, chromium):
    seen: set[str] = set()
    menus, recorded = {}, {}
    for role, username in ROLES.items():
        menus[role], recorded[role] = crawl(chromium, demo_server, role, username, PASSWORD, SCREENSHOTS, seen)
    with open(os.path.join(SCREENSHOTS, "axe-report.json"), "w") as report:
        json.dump({role: [{"path": v.path, "violations": v.violations, "errors": v.console_errors,
                           "overflow": v.overflow, "text": v.text} for v in pages]
                   for role, pages in recorded.items()}, report, indent=1)
    return menus, recorded


@pytest.fixture(scope="module")
def menus(visited):
    return visited[0]


@pytest.fixture(scope="module")
def visits(visited):
    return visited[1]


def by_page(visits, problems):
    """``{(role, path): [problem, ...]}`` for the pages that have any."""
    found = defaultdict(list)
    for role, pages in visits.items():
        for visit in pages:
            for problem in problems(visit):
                found[role, visit.path].append(problem)
    return dict(found)


def test_every_role_reaches_its_pages_and_only_those(menus, visits):
    assert {(role, v.path): v.status for role, pages in visits.items() for v in pages if v.status != 200} == {}
    assert {"/dashboard/", "/exports/", "/cguversionview/list/", "/profile/"} <= set(menus["elected"])
    assert not [p for p in menus["elected"] + menus["support"] if p.startswith("/collectiviteview")]
    assert "/lookup/" in menus["support"] and "/partnerview/list/" not in menus["support"]
    assert "/reimbursements/" in menus["correspondent"] and "/outboxview/list/" not in menus["correspondent"]
    assert {"/outboxview/list/", "/users/list/"} <= set(menus["operator"])
    assert len(visits["correspondent"]) > 20


def test_no_serious_or_critical_accessibility_violation(visits):
    found = by_page(visits, lambda v: [(x["id"], x["impact"], [n["target"][0] for n in x["nodes"]][:3])
                                       for x in v.violations])
    assert found == {}


def test_no_script_error(visits):
    assert by_page(visits, lambda v: v.console_errors) == {}


def test_no_page_overflow_at_390_px(visits):
    assert by_page(visits, lambda v: [f"{v.overflow} px too wide"] if v.overflow > 0 else []) == {}


def test_screenshots_are_kept(visits):
    for pages in visits.values():
        for visit in pages:
            assert all(os.path.getsize(path) > 1000 for path in visit.screenshots), visit.path


def test_no_english_leftover_nor_straight_apostrophe(visits):
    def problems(visit):
        if visit.path.startswith("/roles/"):  # the roles' permissions, printed as the code writes them
            return []
        text = visit.text
        return (sorted(set(ENGLISH.findall(text)))
                + [line.strip()[:80] for line in text.splitlines() if "'" in line]
                + [m.string[max(0, m.start() - 30):m.end()] for m in BREAKING_BEFORE_PUNCTUATION.finditer(text)])
    assert by_page(visits, problems) == {}


# -- Journeys (after the crawl above: they change the demo's data) --------------------------------------

FOCUSED_TEXT = "() => (document.activeElement.innerText || document.activeElement.value || '').trim()"


def tab_to(page, text: str, limit: int = 150) -> None:
    """Press Tab until the focused control reads ``text``; its focus must be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_TEXT) == text:
            assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
            return
    raise AssertionError(f"no control reads {text!r} within {limit} Tab presses")


def test_keyboard_only_journey_sign_in_open_a_partner_approve(ui_app, demo_server, chromium):
    from sqlalchemy import select

    from console.extensions import db
    from console.partners.models import Partner, PartnerStatus
    from console.tenants.context import EVERYTHING, scoped

    with ui_app.app_context(), scoped(EVERYTHING):
        partner = db.session.scalars(select(Partner).where(Partner.status == PartnerStatus.checked)
                                     .order_by(Partner.id)).first()
        partner_id = partner.id
    page = chromium.new_page(locale="fr-FR")
    page.goto(f"{demo_server}/login/")
    page.keyboard.type(ROLES["correspondent"])  # the login field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{demo_server}/")  # the home page: the work queues
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_TEXT) == "Aller au contenu"  # the skip link comes first
    page.goto(f"{demo_server}/partnerview/show/{partner_id}")
    tab_to(page, "Approuver")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Affiliation approuvée" in page.locator("main").inner_text()
    page.close()


def test_a_fee_schedule_is_typed_the_french_way(demo_server, chromium):
    page = chromium.new_page(locale="fr-FR")
    from tests.ui.crawl import sign_in

    sign_in(page, demo_server, ROLES["correspondent"], PASSWORD)
    page.goto(f"{demo_server}/feescheduleview/add")
    page.fill("#effective_from", "01/01/2027")
    page.keyboard.press("Escape")  # close the calendar
    page.fill("#rate", "2,5")
    page.fill("#fixed", "0,10")
    assert "Format\u00a0: JJ/MM/AAAA" in page.locator("#effective_from-hint").inner_text()
    page.click("#model_form button[type=submit], #model_form input[type=submit]")
    page.wait_for_load_state()
    assert "Ligne ajoutée" in page.locator("main").inner_text()
    page.goto(f"{demo_server}/feescheduleview/list/")
    listed = page.locator("main").inner_text()
    assert "01/01/2027" in listed and "2,5\u00a0%" in listed and "0,10\u00a0€" in listed, listed[:2000]
    page.close()


def test_a_list_filter_takes_a_french_date(demo_server, chromium):
    from tests.ui.crawl import sign_in

    page = chromium.new_page(locale="fr-FR")
    sign_in(page, demo_server, ROLES["correspondent"], PASSWORD)
    page.goto(f"{demo_server}/chequierview/list/")
    page.click("#accordion1 a.accordion-toggle")  # « Rechercher »
    page.click("#filter_form .dropdown-toggle")
    page.click("#filter_form a.filter[name=issued_on]")
    field = page.locator("#filter_form input.filter_val.console-filter-date")
    field.click()  # the calendar opens: French, Monday first
    assert page.locator(".datepicker-days th.dow").first.inner_text() == "lu"
    page.locator(".datepicker-days td.day:not(.old):not(.new)", has_text="15").first.click()
    assert re.fullmatch(r"15/\d\d/\d{4}", field.input_value()), field.input_value()
    hint = page.locator(f"#{field.get_attribute('aria-describedby')}")
    assert "JJ/MM/AAAA" in hint.inner_text()
    page.click("#filter_form .dropdown-toggle")  # the same filter twice: each input names its own hint
    page.click("#filter_form a.filter[name=issued_on]")
    hints = page.locator("#filter_form input.console-filter-date").evaluate_all(
        "inputs => inputs.map(input => input.getAttribute('aria-describedby'))")
    assert len(hints) == 2 and len(set(hints)) == 2 and page.locator(f"#{hints[1]}").count() == 1, hints
    page.locator("#filter_form .remove-filter").last.click()
    page.click("#filter_form button[type=submit]")
    page.wait_for_load_state()
    assert "_flt_0_issued_on=15%2F" in page.url and "illisible" not in page.locator("main").inner_text()
    page.close()
