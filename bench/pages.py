"""Benchmark: the console's pages at national scale, next to a stock Flask-AppBuilder list of the same table.

    scripts/with-services .venv/bin/python bench/pages.py [--scale national|regional|small]
                                                          [--seconds 15] [--users 8] [--workers 2]
                                                          [--keep | --loaded URL] [--pages NAME,...]
                                                          [--stock-frozen]

1. A scratch database on the server of --database (default CONSOLE_TEST_POSTGRES_URL): ``console init``
   then ``console demo --scale`` (the 4 demo collectivités, then the scale's collectivités of uneven sizes).
2. SQL per request: each page once in this process (Flask test client), statements counted on the engine.
3. The console (``console.serve:worker_app()``, as `console serve` builds it) and ``bench/stock_app.py``
   (Flask-AppBuilder as it ships) served by gunicorn, --workers sync workers each, on loopback ports.
4. For each page, --users signed-in HTTP clients, half the correspondent of the largest collectivité and
   half the operator, interleaved, request it for --seconds; then the stock list alone, same clients, in
   three rounds alternating with the partner list (their throughput's ratio is printed last).
--stock-frozen sets the stock application's lasting objects aside from Python's cyclic collector, as the
console's workers do (console/serve.py): Flask-AppBuilder with that one change of deployment.
--keep leaves the loaded database in place (its URL is printed) and --loaded URL measures it again without
loading anything: for comparing changes to the code on the same data.
Prints, per page and role, req/s and p50/p95/p99 in ms, with the SQL statements per request.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export_million import scratch_database  # noqa: E402

PASSWORD = "Banc-d-essai-pages-1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PAGES = [  # (name, path, kind)
    ("partner list", "/partnerview/list/", "page"),
    ("reimbursement follow-up", "/reimbursements/", "page"),
    ("cheques list", "/chequeview/list/", "page"),
    ("dashboard", "/dashboard/", "page"),
    ("complaints", "/complaints/", "page"),
    ("API reimbursement list (JWT)", "/api/v1/reimbursement/", "api"),
]
STOCK = ("stock FAB partner list", "/partnerstockview/list/", "page")
ROUNDS = 3  # of the partner list against the stock list (compare_with_stock)
CONSOLE_APP = "console.serve:worker_app({'RATELIMIT_ENABLED': False})"  # as `console serve` builds it


def console(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([str(ROOT / ".venv/bin/console"), *args], env=env, check=True, capture_output=True,
                          text=True).stdout


class Client:
    """One user's HTTP session: cookies (web pages) or a JWT (API)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.headers: dict[str, str] = {}

    def get(self, path: str) -> bytes:
        request = urllib.request.Request(self.base + path, headers=self.headers)
        with self.opener.open(request, timeout=60) as response:
            return response.read()

    def login(self, username: str) -> "Client":
        token = CSRF.search(self.get("/login/").decode()).group(1)
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
        self.opener.open(urllib.request.Request(self.base + "/login/", data=data), timeout=60).read()
        return self

    def api_login(self, username: str) -> "Client":
        body = json.dumps({"username": username, "password": PASSWORD, "provider": "db"}).encode()
        request = urllib.request.Request(self.base + "/api/v1/security/login", data=body,
                                         headers={"Content-Type": "application/json"})
        with self.opener.open(request, timeout=60) as response:
            self.headers = {"Authorization": "Bearer " + json.loads(response.read())["access_token"]}
        return self


def hammer(clients: list[tuple[str, Client]], path: str, seconds: float) -> dict[str, list[float]]:
    """Each client requests ``path`` in a loop for ``seconds``; latencies (s) by role.

    Each client first requests the page twice, untimed: every worker then has the page's templates compiled
    and its statements prepared, for the console and the stock list alike."""
    for _ in range(2):
        for _, client in clients:
            client.get(path)
    latencies: dict[str, list[float]] = {role: [] for role, _ in clients}
    stop = time.monotonic() + seconds

    def run(role: str, client: Client) -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            client.get(path)
            latencies[role].append(time.perf_counter() - started)

    threads = [threading.Thread(target=run, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def compare_with_stock(web: list[tuple[str, Client]], stock: list[tuple[str, Client]], seconds: float,
                       rounds: int = ROUNDS) -> None:
    """The stock list's row, then the partner list's throughput against it, the two measured in alternate
    rounds (seconds / rounds each, the same clients' count): this shared machine's speed drifts over
    minutes, and a ratio of two figures taken minutes apart would follow the drift."""
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        ours += [value for values in hammer(web, PAGES[0][1], seconds / rounds).values() for value in values]
        theirs += hammer(stock, STOCK[1], seconds / rounds)["stock user"]
    report(STOCK[0], "stock user", theirs, seconds, None)
    print(f"partner list against the stock list, {rounds} alternate rounds of {seconds / rounds:.0f} s each: "
          f"{len(ours) / seconds:.1f} against {len(theirs) / seconds:.1f} req/s, "
          f"{len(ours) / len(theirs):.2f}×", flush=True)


def sql_per_request(database: str, users: dict[str, str], pages: list[tuple[str, str, str]]
                    ) -> dict[tuple[str, str], int]:
    """Statements sent by one request of each page, per role, in this process."""
    from sqlalchemy import event

    from console import create_app
    from console.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "RATELIMIT_ENABLED": False, "TESTING": True,
                      "CONSOLE_TOTP_ROLES": [], "CONSOLE_REDIS_URL": os.environ["CONSOLE_TEST_REDIS_URL"]})
    with app.app_context():
        engine = db.engine
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def call(method, *args, **kwargs):
        with app.app_context():  # each request its own context (its own ``g``), as in production
            return method(*args, **kwargs)

    counts = {}
    for role, username in users.items():
        client = app.test_client()
        token = CSRF.search(call(client.get, "/login/").get_data(as_text=True)).group(1)
        call(client.post, "/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
        jwt = call(client.post, "/api/v1/security/login", json={"username": username, "password": PASSWORD,
                                                                 "provider": "db"}).json["access_token"]
        for name, path, kind in pages:
            statements.clear()
            headers = {"Authorization": f"Bearer {jwt}"} if kind == "api" else {}
            assert call(client.get, path, headers=headers).status_code == 200, path
            counts[(name, role)] = len(statements)
    engine.dispose()
    return counts


def serve(app: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                                "--no-control-socket", "--log-level", "warning", app], env=env, cwd=ROOT)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"{app} did not start on port {port}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else float("nan")


def analyse(database: str) -> None:
    """VACUUM ANALYZE after the bulk load, as after any restore: the test cluster of scripts/with-services
    runs without autovacuum, and without statistics the planner reads 2 M cheques as an empty table."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database, isolation_level="AUTOCOMMIT")
    started = time.monotonic()
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(f"VACUUM ANALYZE in {time.monotonic() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=["small", "regional", "national"])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default=os.environ.get("CONSOLE_TEST_POSTGRES_URL"))
    parser.add_argument("--loaded", metavar="URL",
                        help="a database this script loaded before (--keep): measure it, load nothing")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and print its URL")
    parser.add_argument("--stock-frozen", action="store_true",
                        help="freeze the stock application's lasting objects too, as the console's workers do")
    parser.add_argument("--pages", help="comma-separated names of the pages to measure, 'stock' for the stock "
                                        "list (default: all)")
    arguments = parser.parse_args()
    if arguments.loaded:
        database, drop = arguments.loaded, (lambda: None)
    elif arguments.database:
        database, drop = scratch_database(arguments.database)
        if arguments.keep:
            drop = lambda: print(f"kept {database}")  # noqa: E731
    else:
        parser.error("--database (or CONSOLE_TEST_POSTGRES_URL: run under scripts/with-services)")
    pages = [page for page in PAGES if not arguments.pages or page[0] in arguments.pages.split(",")]
    # No second factor: the benchmark's clients sign in with a password only (they cannot type TOTP codes).
    # Jobs on Redis, as in production: the web workers then run no periodic job (without Redis each would
    # run the scheduler thread of the embedded default, and the national refresh of the daily figures
    # would share the CPU with the pages measured). No worker runs: the pages enqueue nothing.
    if not os.environ.get("CONSOLE_TEST_REDIS_URL"):
        parser.error("CONSOLE_TEST_REDIS_URL: run under scripts/with-services")
    env = {**os.environ, "CONSOLE_DATABASE_URL": database, "CONSOLE_SECRET_KEY": "bench-pages-secret",
           "CONSOLE_EXPORT_DIR": tempfile.mkdtemp(), "CONSOLE_TOTP_ROLES": "",
           "CONSOLE_REDIS_URL": os.environ["CONSOLE_TEST_REDIS_URL"]}
    servers: list[subprocess.Popen] = []
    try:
        if not arguments.loaded:
            started = time.monotonic()
            console("init", env=env)
            console("demo", "--password", PASSWORD, "--scale", arguments.scale, env=env)
            print(f"loaded scale {arguments.scale!r} in {time.monotonic() - started:.0f} s", flush=True)
            analyse(database)
        from bench.stock_app import STOCK_USER, prepare

        os.environ["CONSOLE_DATABASE_URL"] = database
        prepare(PASSWORD)
        largest = largest_correspondent(database)
        users = {"correspondent": largest, "operator": "operateur"}
        sql = sql_per_request(database, users, pages)
        ports = free_port(), free_port()
        servers = [serve(CONSOLE_APP, ports[0], arguments.workers, env),
                   serve(f"bench.stock_app:create_stock_app({arguments.stock_frozen})", ports[1],
                         arguments.workers, env)]
        base, stock_base = (f"http://127.0.0.1:{port}" for port in ports)
        roles = ["correspondent" if i % 2 == 0 else "operator" for i in range(arguments.users)]
        web = [(role, Client(base).login(users[role])) for role in roles]
        api = [(role, Client(base).api_login(users[role])) for role in roles]
        print(f"{'page':<32} {'role':<14} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'SQL':>4}")
        for name, path, kind in pages:
            latencies = hammer(api if kind == "api" else web, path, arguments.seconds)
            for role, values in latencies.items():
                report(name, role, values, arguments.seconds, sql[(name, role)])
        if arguments.pages and "stock" not in arguments.pages.split(","):
            return
        stock = [("stock user", Client(stock_base).login(STOCK_USER)) for _ in roles]
        compare_with_stock(web, stock, arguments.seconds)
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        drop()


def report(name: str, role: str, values: list[float], seconds: float, statements: int | None) -> None:
    print(f"{name:<32} {role:<14} {len(values) / seconds:>7.1f} {percentile(values, 50):>6.0f} "
          f"{percentile(values, 95):>6.0f} {percentile(values, 99):>6.0f} {statements if statements else '':>4}",
          flush=True)


def largest_correspondent(database: str) -> str:
    """The correspondent of the collectivité with the most cheques."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database)
    with engine.connect() as connection:
        slug = connection.scalar(text(
            "SELECT c.slug FROM collectivite c JOIN cheque q ON q.collectivite_id = c.id "
            "GROUP BY c.slug ORDER BY count(*) DESC LIMIT 1"))
    engine.dispose()
    return f"{slug}-correspondant"


if __name__ == "__main__":
    main()
