"""The home page's work queues: each count equals the rows of the list its link opens, for each role;
a collectivité's queues never count another's rows; the page's SQL does not grow with the rows."""
from __future__ import annotations

import re
from datetime import date

from console.extensions import db
from console.money.dates import paris_day
from console.queues import definitions
from console.partners import lookup
from console.reports.models import Export, ExportKind, ExportStatus
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import utcnow
from tests.conftest import login, logout, page_text
from tests.partners.helpers import user
from tests.queues.conftest import fill_both
from tests.scale.conftest import counting

QUEUE_RE = re.compile(r'id="queue-(\w+)">\s*<h3 class="queue-title"><a href="([^"]+)">[^<]*</a></h3>\s*'
                      r'(?:<span class="badge queue-count">(\d+)</span>|<span class="queue-count queue-empty">)')
FAB_COUNT_RE = re.compile(r'<div class="pull-right">\s*<strong>[^<]*</strong>\s*(\d+)')
ROW_RE = re.compile(r'<tr data-(?:request|complaint)="\d+"')
CORRESPONDENT_KEYS = {q.key for q in definitions.for_roles(definitions.CORRESPONDENT)}
OPERATOR_KEYS = {q.key for q in definitions.for_roles(definitions.OPERATOR)}


def home_queues(client) -> dict[str, tuple[str, int]]:
    page = page_text(client.get("/"))
    return {key: (url.replace("&amp;", "&"), int(count or 0)) for key, url, count in QUEUE_RE.findall(page)}


def list_count(client, url: str) -> int:
    page = page_text(client.get(url))
    fab = FAB_COUNT_RE.search(page)
    return int(fab.group(1)) if fab else len(ROW_RE.findall(page))


def expected_for(queued, tenants: list[str], keys: set[str]) -> dict[str, int]:
    return {key: sum(queued.expected[t][key] for t in tenants) for key in keys}


def check_queues(client, expected: dict[str, int], follow: bool = True) -> dict[str, tuple[str, int]]:
    """The home page shows exactly these counts, and each link opens a list of exactly that many rows."""
    queues = home_queues(client)
    assert {key: count for key, (_url, count) in queues.items()} == expected
    for key, (url, count) in queues.items() if follow else ():
        assert f"queue={key}" in url
        assert list_count(client, url) == count, key
    return queues


def test_each_roles_queues_equal_their_lists_and_stay_in_their_collectivite(client, world):
    login(client, world.a.users["correspondent"])
    with counting() as empty:
        page = page_text(client.get("/"))
    assert page.count("Rien en attente") == len(CORRESPONDENT_KEYS)  # every queue shown, even empty
    queued = fill_both(world, paris_day(utcnow()))
    # A and B hold different counts in the count-only queues: B's rows in A's counts would show.
    assert all(queued.expected["a"][k] != queued.expected["b"][k]
               for k in ("affiliations_to_decide", "requests_to_validate", "payments_overdue"))
    with counting() as filled:
        client.get("/")
    assert len(empty) == len(filled) <= len(CORRESPONDENT_KEYS) + 3  # one capped count per queue, whatever the rows
    check_queues(client, expected_for(queued, ["a"], CORRESPONDENT_KEYS))
    overdue = page_text(client.get("/reimbursements/?queue=payments_overdue"))
    assert len(ROW_RE.findall(overdue)) == 1 and 'id="queue-filter"' in overdue
    for url in ("/reimbursements/?queue=nonsense", "/reimbursements/?queue=complaints_closing"):
        page = page_text(client.get(url))  # an unknown queue, or another list's, filters nothing
        assert len(ROW_RE.findall(page)) == 7 and 'id="queue-filter"' not in page
    logout(client)
    login(client, world.b.users["correspondent"])
    check_queues(client, expected_for(queued, ["b"], CORRESPONDENT_KEYS), follow=False)  # the lists: as A's
    logout(client)

    login(client, world.operator)
    expected = expected_for(queued, ["a", "b"], OPERATOR_KEYS)
    assert expected["collectivites_overdue"] == 1  # only A has an overdue payment
    queues = check_queues(client, expected)
    page = page_text(client.get(queues["collectivites_overdue"][0]))
    assert "Collectivités avec des paiements en retard" in page and "Alpha" in page and "Bêta" not in page
    logout(client)

    # Support agents: their own latest look-ups (never a colleague's), each one a link to search again.
    with scoped(EVERYTHING):
        lookup.audit(db.session, user(world.b.users["support"]), "ville-b", "page", [])
        lookup.audit(db.session, user(world.a.users["support"]), "champ-a", "choice", [])  # a form field's search
        db.session.commit()
    login(client, world.a.users["support"])
    client.get("/lookup/?q=structure")
    page = page_text(client.get("/"))
    assert 'href="/lookup/?q=structure"' in page and "ville-b" not in page and 'id="work-queues"' not in page
    assert "champ-a" not in page
    logout(client)
    login(client, world.a.users["elected"])
    page = page_text(client.get("/"))
    assert "Dernière synthèse mensuelle" in page and "Pas encore de synthèse" in page
    # Once a summary is complete (a colleague's does not count), the page links its download.
    for username, start in ((world.a.users["elected"], date(2026, 10, 1)), (world.a.users["correspondent"],
                                                                            date(2026, 11, 1))):
        with scoped(EVERYTHING):
            db.session.add(Export(user_id=user(username).id, collectivite_id=world.a.id, kind=ExportKind.summary,
                                  status=ExportStatus.done, finished_at=utcnow(), parameters={
                                      "period_start": start.isoformat(), "period_end": start.replace(day=30).isoformat()}))
            db.session.commit()
    page = page_text(client.get("/"))
    assert "Synthèse du 01/10/2026 au 30/10/2026" in page and "/download" in page and "11/2026" not in page
