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
              help="Then add this many cheques (bulk inserts, for benchmarks), e.g. 1000000.")
@with_appcontext
def demo_command(password: str, if_empty: bool, cheques: int) -> None:
    """Fill the database with deterministic, realistic demo data."""
    from console.demo import load_demo
    from console.money.demo import bulk_cheques

    accounts = load_demo(password, if_empty=if_empty)
    if cheques:
        click.echo(f"{bulk_cheques(cheques)} benchmark cheques added.")
    if accounts is None:
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


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Enqueue the periodic jobs (monthly reports...) on Redis when due; run one or more next to the workers."""
    import threading

    from console import jobs

    if not isinstance(jobs.runner(), jobs.RqRunner):
        raise click.ClickException("CONSOLE_REDIS_URL is not set: the web process runs the periodic jobs itself.")
    jobs.run_periodic(threading.Event())


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
                    check_command):
        app.cli.add_command(command)


def _create_app():
    from console import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Console Pass Numérique."""
