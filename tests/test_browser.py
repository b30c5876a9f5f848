"""In a real browser (Debian's Chromium): sign in, ask for an export, watch its progress bar finish live."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from console.reports import jobs as report_jobs
from tests.conftest import PASSWORD
from tests.ui.conftest import launched_chromium


@pytest.fixture
def live_server(app):
    """The console served on a free loopback port, in a thread of this process."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def browser():
    yield from launched_chromium()


@pytest.fixture
def held_exports(monkeypatch):
    """Exports wait for the test's signal before they run, so the page is seen while they are queued."""
    release = threading.Event()
    run = report_jobs.run_export

    def run_when_released(export_id: int) -> None:
        assert release.wait(timeout=60)
        run(export_id)

    monkeypatch.setattr(report_jobs, "run_export", run_when_released)
    return release


@pytest.mark.browser
def test_an_elected_official_follows_an_export_to_its_download_link(app, world, live_server, browser,
                                                                    held_exports):
    app.config["SERVER_NAME"] = None  # the live server answers on its own address
    try:
        page = browser.new_page()
        blocked: list[str] = []  # what the Content-Security-Policy refused, reported by Chromium
        page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
        page.goto(f"{live_server}/login/")
        assert "Mot de passe" in page.content()
        page.fill("#username", world.a.users["elected"])
        page.fill("#password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server}/")  # the home page: the élu's latest monthly summary
        assert "Dernière synthèse mensuelle" in page.content() and "Tableau de bord" in page.content()

        page.goto(f"{live_server}/exports/")
        page.select_option("select[name=kind]", "summary")
        page.click("#export-form button[type=submit]")  # the navbar holds the logout forms
        row = page.locator("#export-list tbody tr").first
        assert row.get_attribute("data-status") in ("queued", "running")
        assert row.locator("a.btn-success").count() == 0  # no link before the file is complete

        held_exports.set()
        link = page.locator("#export-list a.btn-success").first
        link.wait_for(timeout=30_000)  # the page's own polling shows it, nobody reloads by hand
        assert link.inner_text() == "Télécharger"
        assert "100 %" in page.locator("#export-list .progress-bar").first.inner_text()
        assert blocked == []
    finally:
        app.config["SERVER_NAME"] = "console.test"
