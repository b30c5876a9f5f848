"""Exports and the dashboard never show, count or hand over another collectivité's (or user's) data."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from console.extensions import db
from console.reports.models import Export, ExportStatus
from tests.conftest import csrf_token, login, logout
from tests.reports.conftest import ask, export_and_open, exports, last_export, table, wait


def denied(response) -> bool:
    """Refused: 403/404, or FAB's redirect to the login page for a missing permission."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def export_count() -> int:
    return db.session.scalar(select(func.count(Export.id)))


@pytest.fixture
def alpha_export(app, world, money):
    """A finished summary export of A's élu, and one that failed."""
    client = app.test_client()
    login(client, world.a.users["elected"])
    ask(client, "summary")
    wait()
    done = last_export()
    done_state = (done.status, done.file_path)
    assert done.status is ExportStatus.done
    return done.id, done_state


@pytest.mark.parametrize("intruder", ["beta-elected", "beta-correspondent", "alpha-correspondent", "alpha-support"])
def test_nobody_else_lists_follows_downloads_or_retries_an_export(client, world, alpha_export, intruder):
    pk, state = alpha_export
    login(client, intruder)
    page = client.get("/exports/").get_data(as_text=True)
    assert f'data-export="{pk}"' not in page
    assert denied(client.get(f"/exports/{pk}/progress"))
    assert denied(client.get(f"/exports/{pk}/download"))
    token = csrf_token(client, "/exports/")
    assert denied(client.post(f"/exports/{pk}/retry", data={"csrf_token": token}))
    db.session.expire_all()
    export = db.session.get(Export, pk)
    assert (export.status, export.file_path) == state and export.attempts == 1


def test_the_owner_downloads_a_workbook_of_their_collectivite_only(client, world, alpha_export):
    login(client, world.a.users["elected"])
    pk, _ = alpha_export
    with client.get(f"/exports/{pk}/download") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")


def test_a_user_cannot_export_another_collectivite_and_nothing_is_queued(client, world, money):
    login(client, world.a.users["correspondent"])
    ask(client, "reimbursements", collectivite=str(world.b.id))
    assert export_count() == 0
    assert "Vous ne pouvez exporter que votre collectivité." in client.get("/exports/").get_data(as_text=True)


def test_an_export_of_a_contains_nothing_of_b(client, world, money):
    login(client, world.a.users["elected"])
    headers, rows = table(export_and_open(client, "cheques"), "Chèques")
    assert rows and all(row["Numéro de chèque"].startswith("A") for row in rows)
    headers, partners = table(export_and_open(client, "partners"), "Partenaires")
    assert "Tiers-lieu Bêta" not in {row["Nom"] for row in partners}


@pytest.mark.parametrize("kind", ["reimbursements", "cheques", "complaints", "summary"])
def test_support_agents_cannot_export_money_figures(client, world, money, kind):
    login(client, world.a.users["support"])
    page = client.get("/exports/").get_data(as_text=True)
    assert f'value="{kind}"' not in page and 'value="partners"' in page
    ask(client, kind)
    assert export_count() == 0
    assert "Votre rôle ne permet pas cet export." in client.get("/exports/").get_data(as_text=True)


def test_support_agents_may_export_partners(client, world, money):
    login(client, world.a.users["support"])
    headers, rows = table(export_and_open(client, "partners"), "Partenaires")
    assert len(rows) == 3


def test_operators_export_one_collectivite_or_all(client, world, money):
    login(client, world.operator)
    headers, rows = table(export_and_open(client, "partners", collectivite=str(world.b.id)), "Partenaires")
    assert {row["Nom"] for row in rows} == {"Tiers-lieu Bêta"}
    headers, rows = table(export_and_open(client, "partners"), "Partenaires")
    assert len(rows) == 4 and {row["Collectivité"] for row in rows} == {"Ville d'Alpha", "Département de Bêta"}
    assert [export.collectivite_id for export in exports()] == [world.b.id, None]


def test_dashboard_shows_own_figures_and_hides_money_from_support(client, world, refreshed):
    login(client, world.a.users["elected"])
    page = client.get("/dashboard/?start=2026-01-01&end=2026-06-30").get_data(as_text=True)
    assert "Montant net remboursé" in page and "77,20\u00a0€" in page  # A: 48,25 + 28,95
    assert "67,55" not in page  # B's 7 cheques
    assert page.count("<svg") == 2
    logout(client)
    login(client, world.a.users["support"])
    page = client.get("/dashboard/?start=2026-01-01&end=2026-06-30").get_data(as_text=True)
    assert "Chéquiers émis" in page and "Montant net" not in page and "€" not in page


def test_an_operator_dashboard_narrowed_to_b_shows_only_b(client, world, refreshed):
    login(client, world.operator)
    page = client.get(f"/dashboard/?start=2026-01-01&end=2026-06-30&collectivite={world.b.id}").get_data(as_text=True)
    assert "67,55\u00a0€" in page and "77,20" not in page


def test_a_tenant_user_cannot_widen_the_dashboard_to_b(client, world, refreshed):
    login(client, world.a.users["elected"])
    page = client.get(f"/dashboard/?start=2026-01-01&end=2026-06-30&collectivite={world.b.id}").get_data(as_text=True)
    assert "77,20\u00a0€" in page and "67,55" not in page


def test_anonymous_users_reach_nothing(client, world, alpha_export):
    pk, _ = alpha_export
    for url in ("/exports/", f"/exports/{pk}/progress", f"/exports/{pk}/download", "/dashboard/"):
        assert denied(client.get(url))
