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
        if visit.path == "/roles/list/":  # the built-in roles' permissions, printed as the code writes them
            return []
        text = visit.text
        return (sorted(set(ENGLISH.findall(text)))
                + [line.strip()[:80] for line in text.splitlines() if "'" in line]
                + [m.string[max(0, m.start() - 30):m.end()] for m in BREAKING_BEFORE_PUNCTUATION.finditer(text)])
    assert by_page(visits, problems) == {}
