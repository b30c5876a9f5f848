"""Where a page's time goes: one page requested N times in process, timed, then profiled with cProfile.

    .venv/bin/python bench/profile_page.py [--path /partnerview/list/] [--requests 100] [--scale small]
                                           [--database URL] [--who correspondent,operator,stock] [--top 25]

1. A database (a scratch SQLite file unless --database names an empty one): ``console init``'s schema and
   roles, the demo, then ``--scale`` (``none`` for the demo alone); the stock Flask-AppBuilder application of
   ``bench/stock_app.py`` gets its role and user in the same database.
2. For each of --who: a Flask test client signs in (the correspondent of the largest collectivité, the
   operator, or the stock application's user), requests --path a few times to warm up, then --requests times
   timed (ms per request, no profiler), then --requests times under cProfile, and prints the functions with
   the most own time and the most cumulative time.
Every request runs in its own application context (its own ``g`` and database session), as in production;
the configuration is production's but for the rate limit and the second factor (a client cannot type TOTP
codes).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Banc-d-essai-profil-1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STOCK_PATH = "/partnerstockview/list/"


def load(database: str, scale: str) -> str:
    """Schema, roles, demo and scale data set; returns the correspondent of the largest collectivité."""
    from console import create_app
    from console.demo import load_demo
    from console.demo_scale import SCALES, load_scale
    from console.extensions import db
    from console.schema import init_database

    app = create_app(config(database))
    with app.app_context():
        init_database()
        accounts = load_demo(PASSWORD) or []
        if scale != "none":
            accounts = load_scale(SCALES[scale], PASSWORD)  # the largest collectivité's accounts first
        db.engine.dispose()
    return next(username for username, _ in accounts if username.endswith("-correspondant"))


def config(database: str) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": database, "RATELIMIT_ENABLED": False, "CONSOLE_TOTP_ROLES": [],
            "CONSOLE_EXPORT_DIR": tempfile.mkdtemp()}


def signed_in(app, username: str):
    client = app.test_client()
    token = CSRF.search(client.get("/login/").get_data(as_text=True)).group(1)
    response = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, (username, response.status_code)
    return client


def measure(client, path: str, requests: int, top: int, save: str | None) -> tuple[float, float]:
    """Wall and CPU ms per request without the profiler (best round); prints the profile of as many requests.

    CPU is this thread's (the test client serves the request in it): on a machine shared with other work it
    is steadier than the wall clock, and it leaves out the in-process job runner's threads."""
    for _ in range(5):  # warm-up: templates compiled, catalogues loaded, connections open
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    rounds = []  # the best of 5 rounds: other processes on the machine only ever add time
    for _ in range(5):
        started, cpu = time.perf_counter(), time.thread_time()
        for _ in range(max(1, requests // 5)):
            client.get(path)
        count = max(1, requests // 5)
        rounds.append(((time.perf_counter() - started) * 1000 / count, (time.thread_time() - cpu) * 1000 / count))
    elapsed = (min(wall for wall, _ in rounds), min(cpu for _, cpu in rounds))
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        client.get(path)
    profile.disable()
    if save:  # for pstats' callers/callees: python -m pstats FILE
        profile.dump_stats(save)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        print(out.getvalue())
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/partnerview/list/")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--scale", default="small", choices=["none", "tiny", "small", "regional"])
    parser.add_argument("--database", help="an empty database (default: a scratch SQLite file)")
    parser.add_argument("--who", default="correspondent,operator,stock")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", help="also write each profile to SAVE.<who>.prof")
    arguments = parser.parse_args()
    database = arguments.database or f"sqlite:///{tempfile.mkdtemp()}/profile.db"
    os.environ["CONSOLE_DATABASE_URL"] = database  # read by bench/stock_app.py
    correspondent = load(database, arguments.scale)

    from bench.stock_app import STOCK_USER, create_stock_app, prepare
    from console import create_app

    results = {}
    for who in arguments.who.split(","):
        if who == "stock":
            prepare(PASSWORD)
            app, username, path = create_stock_app(), STOCK_USER, STOCK_PATH
        else:
            app = create_app(config(database))
            username, path = (correspondent if who == "correspondent" else "operateur"), arguments.path
        print(f"===== {who} ({username}) GET {path}")
        results[who] = measure(signed_in(app, username), path, arguments.requests, arguments.top,
                               f"{arguments.save}.{who}.prof" if arguments.save else None)
    print("ms per request, wall / CPU (no profiler): "
          + ", ".join(f"{who} {wall:.1f} / {cpu:.1f}" for who, (wall, cpu) in results.items()))


if __name__ == "__main__":
    main()
