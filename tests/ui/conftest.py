"""The demo console served to Debian's Chromium once per test module, and the pages each role can reach.

Browser tests are the slow part of the suite: the demo is loaded once, on SQLite only (what is checked
here is what the browser receives, not the database), and each page is visited once by ``crawl``.
"""
from __future__ import annotations

import functools
import os
import threading
from typing import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from console.extensions import db
from tests.conftest import PASSWORD, _empty_tables, _make_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
#: Where the tests keep each role's pages as PNG files (gitignored), named in the README.
SCREENSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "screenshots")
ROLES = {"elected": "lyon-elu", "support": "lyon-support", "correspondent": "lyon-correspondant",
         "operator": "operateur"}


@pytest.fixture(scope="session")
def ui_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = str(tmp_path_factory.mktemp("ui"))
    app = _make_app(f"sqlite:///{instance}/console.db", instance)
    app.config["SERVER_NAME"] = None  # the live server answers on its own address
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def demo_server(ui_app: Flask) -> Iterator[str]:
    """The demo data of one collectivité (password ``PASSWORD``) served on a free loopback port.

    The whole demo (four collectivités, 200 partners) takes over a minute to load here: one collectivité
    and 40 partners hold every kind of page and state the checks need."""
    from console import demo

    _empty_tables(ui_app)
    with ui_app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo, "COLLECTIVITES", demo.COLLECTIVITES[:1])
        patch.setattr(demo, "_partners", functools.partial(demo._partners, count=40))
        demo.load_demo(PASSWORD)
        db.session.remove()
    server = make_server("127.0.0.1", 0, ui_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with ui_app.app_context():
        from console import jobs

        runner = jobs.runner()
        if isinstance(runner, jobs.InProcessRunner):
            runner.wait(timeout=60)


def launched_chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser); fails, never skips, without it."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """One browser for the whole module: launching Chromium costs a second or more."""
    yield from launched_chromium()
