"""The `console` command: Flask's commands (run, shell...) plus init, demo, worker, migration."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Upgrade the database to the latest revision and create roles and permissions."""
    from console.schema import init_database

    init_database()
    click.echo("Database ready.")


@click.command("migration")
@click.argument("message")
@with_appcontext
def migration_command(message: str) -> None:
    """Write a new Alembic revision from the models (developers)."""
    from console.schema import make_migration

    make_migration(message)


@click.command("demo")
@click.option("--password", required=True, help="Password of every demo account.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has collectivités.")
@click.option("--cheques", type=click.IntRange(min=0), default=0,
              help="Then add this many cheques to the demo collectivités (bulk inserts), e.g. 1000000.")
@click.option("--scale", type=click.Choice(["tiny", "small", "regional", "national"]), default=None,
              help="Then add collectivités of uneven sizes: national = 100 collectivités, 20,000 partners, "
                   "2,000,000 cheques, 200,000 requests, 20,000 complaints (regional a tenth, small and tiny "
                   "less).")
@with_appcontext
def demo_command(password: str, if_empty: bool, cheques: int, scale: str | None) -> None:
    """Fill the database with deterministic, realistic demo data; optionally add volumes for benchmarks."""
    import time

    from console.demo import load_demo
    from console.demo_scale import SCALES, load_scale
    from console.money.demo import bulk_cheques

    # The volumes go on top of the demo: an empty database gets the demo first, a demo database keeps it.
    accounts = load_demo(password, if_empty=if_empty or bool(cheques or scale))
    if cheques:
        started = time.monotonic()
        written = bulk_cheques(cheques)
        click.echo(f"{written} benchmark cheques added in {time.monotonic() - started:.0f} s.")
    if scale:
        started = time.monotonic()
        try:
            accounts = (accounts or []) + load_scale(SCALES[scale], password)
        except RuntimeError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Scale {scale!r} loaded in {time.monotonic() - started:.0f} s; collectivités by size below.")
    if not accounts:
        click.echo("The database already holds data: demo skipped.")
        return
    click.echo("Demo accounts (password: the one given):")
    for username, description in accounts:
        click.echo(f"  {username:<32} {description}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Serve background jobs from Redis (CONSOLE_REDIS_URL); run several for more throughput."""
    from rq import SimpleWorker

    from console import jobs

    runner = jobs.runner()
    if not isinstance(runner, jobs.RqRunner):
        raise click.ClickException("CONSOLE_REDIS_URL is not set: jobs run inside the web process.")
    # SimpleWorker runs jobs in this process, inside the application context pushed above.
    SimpleWorker([runner.queue], connection=runner.connection).work(burst=burst)


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True,
              help="Address to listen on: HOST:PORT, or unix:/path/to/socket.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Web processes (default: one per core, at least 2).")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="Threads per process (more than 1 only helps when requests wait on the database).")
@click.option("--timeout", type=click.IntRange(min=1), default=60, show_default=True,
              help="Seconds before a silent worker is killed and replaced.")
@click.option("--graceful-timeout", type=click.IntRange(min=1), default=30, show_default=True,
              help="Seconds given to requests in progress when stopping or recycling a worker.")
@click.option("--keepalive", type=click.IntRange(min=0), default=5, show_default=True,
              help="Seconds a keep-alive connection waits for its next request.")
@click.option("--access-log", default=None,
              help="gunicorn's access log file ('-': standard error); the console already logs "
                   "one JSON line per request to standard error.")
@click.option("--proxies", type=click.IntRange(min=0), default=0, show_default=True,
              help="Number of reverse proxies in front (their X-Forwarded-For/-Proto/-Host are trusted).")
@click.option("--max-requests", type=click.IntRange(min=0), default=2000, show_default=True,
              help="Recycle a worker after this many requests (0: never).")
def serve_command(bind: str, workers: int | None, threads: int, timeout: int, graceful_timeout: int,
                  keepalive: int, access_log: str | None, proxies: int, max_requests: int) -> None:
    """Serve the console in production (gunicorn); `console run` is the development server."""
    from console.serve import default_workers, serve

    serve(bind=bind, workers=workers or default_workers(), threads=threads, timeout=timeout,
          graceful_timeout=graceful_timeout, keepalive=keepalive, access_log=access_log, proxies=proxies,
          max_requests=max_requests)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Enqueue the periodic jobs (monthly reports, export sweeping...) on Redis when due.

    Several may run (one per host, for availability): only the holder of the scheduler lease enqueues.
    """
    import signal
    import threading

    from console import jobs

    if not isinstance(jobs.runner(), jobs.RqRunner):
        raise click.ClickException("CONSOLE_REDIS_URL is not set: the web process runs the periodic jobs itself.")
    stop = threading.Event()
    # A clean stop gives the lease up at once instead of letting it expire.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    jobs.run_periodic(stop)


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
@click.option("--collectivite", "slug", default=None, help="Only the chain of this collectivité (its slug).")
@with_appcontext
def audit_verify_command(slug: str | None) -> None:
    """Recompute the hash chains and check the signed checkpoints; exit 1 naming the first bad event."""
    from sqlalchemy import select

    from console.audit.verify import verify
    from console.extensions import db
    from console.tenants.models import Collectivite
    from console.tenants.scoping import UNSCOPED

    collectivite_id = None
    if slug is not None:
        collectivite_id = db.session.scalar(select(Collectivite.id).where(Collectivite.slug == slug),
                                            execution_options=UNSCOPED)
        if collectivite_id is None:
            raise click.ClickException(f"No collectivité has the slug {slug!r}.")
    report = verify(db.session, current_app.config["SECRET_KEY"], collectivite_id, only_one=slug is not None)
    for problem in report.problems:
        click.echo(f"TAMPERED {problem}", err=True)
    if not report.intact:
        raise SystemExit(1)
    click.echo(f"Audit trail intact: {report.events} events in {report.chains} chains, "
               f"{report.checkpoints} checkpoints verified.")


@audit_group.command("checkpoint")
@with_appcontext
def audit_checkpoint_command() -> None:
    """Sign a checkpoint of every chain's head now and e-mail it to the operators."""
    from console.audit.anchor import write_checkpoint
    from console.audit.jobs import operator_emails
    from console.extensions import db

    checkpoint = write_checkpoint(db.session, current_app.config["SECRET_KEY"], operator_emails(db.session))
    db.session.commit()
    click.echo(f"Checkpoint #{checkpoint.id} signed: {checkpoint.signature}")


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Report the settings that are dangerous in production; exit 1 if there is any."""
    from console.checks import production_problems

    problems = production_problems(current_app.config)
    for problem in problems:
        click.echo(f"DANGER: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("No dangerous setting found.")


def register(app: Flask) -> None:
    for command in (init_command, migration_command, demo_command, worker_command, scheduler_command,
                    audit_group, check_command):
        app.cli.add_command(command)


def _create_app():
    from console import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Console Pass Numérique."""


# On the group itself, not on the application: gunicorn's master process never builds an application.
main.add_command(serve_command)
