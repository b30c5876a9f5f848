"""The home page's work queues: each count equals the rows of the list its link opens, for each role,
and a collectivité's queues never count another's rows."""
from __future__ import annotations

import re

from console.money.dates import paris_day
from console.queues import definitions
from console.tenants.models import utcnow
from tests.conftest import login, logout, page_text
from tests.queues.conftest import fill
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


def check_queues(client, expected: dict[str, int]) -> dict[str, tuple[str, int]]:
    """The home page shows exactly these counts, and each link opens a list of exactly that many rows."""
    queues = home_queues(client)
    assert {key: count for key, (_url, count) in queues.items()} == expected
    for key, (url, count) in queues.items():
        assert f"queue={key}" in url
        assert list_count(client, url) == count, key
    return queues


def test_correspondent_queues_equal_their_lists_and_stay_in_their_collectivite(client, queued):
    # A and B hold different counts in every count-only queue: B's rows in A's counts would show.
    assert all(queued.expected["a"][k] != queued.expected["b"][k]
               for k in ("affiliations_to_decide", "requests_to_validate", "payments_overdue"))
    for tenant in ("a", "b"):
        login(client, getattr(queued.world, tenant).users["correspondent"])
        check_queues(client, expected_for(queued, [tenant], CORRESPONDENT_KEYS))
        logout(client)
    login(client, queued.world.a.users["correspondent"])
    overdue = page_text(client.get("/reimbursements/?queue=payments_overdue"))
    assert len(ROW_RE.findall(overdue)) == 1 and 'id="queue-filter"' in overdue
    # An unknown queue, or another list's, filters nothing.
    for url in ("/reimbursements/?queue=nonsense", "/reimbursements/?queue=complaints_closing"):
        page = page_text(client.get(url))
        assert len(ROW_RE.findall(page)) == 7 and 'id="queue-filter"' not in page


def test_operator_support_and_elected_home(client, queued):
    login(client, queued.world.operator)
    expected = expected_for(queued, ["a", "b"], OPERATOR_KEYS)
    assert expected["collectivites_overdue"] == 1  # only A has an overdue payment
    queues = check_queues(client, expected)
    page = page_text(client.get(queues["collectivites_overdue"][0]))
    assert "Collectivités avec des paiements en retard" in page and "Alpha" in page and "Bêta" not in page
    logout(client)
    # Support agents: their own latest look-ups (never a colleague's), each one a link to search again.
    login(client, queued.world.b.users["support"])
    client.get("/lookup/?q=ville-b")
    logout(client)
    login(client, queued.world.a.users["support"])
    client.get("/lookup/?q=structure")
    page = page_text(client.get("/"))
    assert 'href="/lookup/?q=structure"' in page and "ville-b" not in page and 'id="work-queues"' not in page
    logout(client)
    login(client, queued.world.a.users["elected"])
    page = page_text(client.get("/"))
    assert "Dernière synthèse mensuelle" in page and "Pas encore de synthèse" in page


def test_empty_queues_then_bounded_sql(client, world):
    """« Rien en attente » for an empty queue; one capped count per queue, whatever the number of rows."""
    login(client, world.a.users["correspondent"])
    page = page_text(client.get("/"))
    assert page.count("Rien en attente") == len(CORRESPONDENT_KEYS)
    today = paris_day(utcnow())
    fill(world, world.a, 0, 0, True, today)
    with counting() as first:
        client.get("/")
    fill(world, world.a, 100, 3, True, today)
    with counting() as second:
        assert "Rien en attente" not in page_text(client.get("/"))
    assert len(first) == len(second) <= len(CORRESPONDENT_KEYS) + 3
