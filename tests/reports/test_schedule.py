"""Monthly summary workbooks: correspondents subscribe their élus; the periodic job sends each month once."""
from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from console import jobs
from console.extensions import db
from console.mail import OutboxMessage
from console.reports import schedule
from console.reports.models import Export, ExportStatus, ReportSubscription
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import ConsoleUser
from tests.conftest import csrf_token, login, logout
from tests.reports.conftest import wait


def user_id(username: str) -> int:
    with scoped(EVERYTHING):
        return db.session.scalar(select(ConsoleUser.id).where(ConsoleUser.username == username))


def subscriptions() -> list[ReportSubscription]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.execute(select(ReportSubscription)).scalars().all()


def subscribe(client, username: str):
    token = csrf_token(client, "/report-subscriptions/")
    return client.post(f"/report-subscriptions/subscribe/{user_id(username)}", data={"csrf_token": token})


def test_a_correspondent_subscribes_an_elu_of_their_collectivite_only(client, world):
    login(client, world.a.users["correspondent"])
    page = client.get("/report-subscriptions/").get_data(as_text=True)
    assert f'data-user="{user_id("alpha-elected")}"' in page and f'data-user="{user_id("beta-elected")}"' not in page
    assert subscribe(client, "alpha-elected").status_code == 302
    assert subscribe(client, "beta-elected").status_code == 404
    assert subscribe(client, "alpha-support").status_code == 404  # only élus
    assert [(s.user_id, s.collectivite_id, s.active) for s in subscriptions()] == [
        (user_id("alpha-elected"), world.a.id, True)]


def test_nobody_else_changes_a_subscription(client, world):
    login(client, world.a.users["correspondent"])
    subscribe(client, "alpha-elected")
    pk = subscriptions()[0].id
    logout(client)
    login(client, world.b.users["correspondent"])
    token = csrf_token(client, "/report-subscriptions/")
    assert client.post(f"/report-subscriptions/unsubscribe/{pk}", data={"csrf_token": token}).status_code == 404
    logout(client)
    login(client, world.a.users["elected"])
    response = client.post(f"/report-subscriptions/unsubscribe/{pk}", data={"csrf_token": token})
    assert response.status_code in (302, 400, 403) and "/report-subscriptions" not in response.headers.get(
        "Location", "")
    assert subscriptions()[0].active


def test_the_summary_of_last_month_is_built_and_mailed_once(client, world, money):
    login(client, world.a.users["correspondent"])
    subscribe(client, "alpha-elected")
    assert schedule.send_monthly_summaries(date(2026, 3, 1)) == 1
    wait()
    export = db.session.execute(select(Export)).scalar_one()
    assert export.status is ExportStatus.done and export.user_id == user_id("alpha-elected")
    assert export.parameters["period_start"] == "2026-02-01" and export.parameters["period_end"] == "2026-02-28"
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.template == "report_monthly_summary")
                              ).scalar_one()
    assert mail.recipient == "alpha-elected@test.example.fr" and "du 01/02/2026 au 28/02/2026 est jointe" in mail.body
    assert schedule.send_monthly_summaries(date(2026, 3, 2)) == 0  # already sent for February
    assert schedule.send_monthly_summaries(date(2026, 4, 1)) == 1
    wait()
    assert db.session.scalar(select(func.count(Export.id))) == 2


def test_an_unsubscribed_elu_receives_nothing(client, world, money):
    login(client, world.a.users["correspondent"])
    subscribe(client, "alpha-elected")
    token = csrf_token(client, "/report-subscriptions/")
    client.post(f"/report-subscriptions/unsubscribe/{subscriptions()[0].id}", data={"csrf_token": token})
    assert schedule.send_monthly_summaries(date(2026, 3, 1)) == 0


def test_the_scheduler_enqueues_each_periodic_job_when_due(app, monkeypatch):
    calls = []
    monkeypatch.setattr(jobs, "PERIODIC", [(3600, schedule.send_monthly_summaries)])
    monkeypatch.setattr(jobs, "enqueue", lambda func, *args: calls.append(func))
    stop = threading.Event()
    thread = threading.Thread(target=jobs.run_in_app, args=(app, jobs.run_periodic, stop, 0.01))
    thread.start()
    threading.Event().wait(0.1)
    stop.set()
    thread.join()
    assert calls == [schedule.send_monthly_summaries]


def test_the_monthly_summary_is_a_periodic_job():
    assert (schedule.CHECK_EVERY, schedule.send_monthly_summaries) in jobs.PERIODIC
