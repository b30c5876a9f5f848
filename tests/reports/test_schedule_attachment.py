"""The monthly summary e-mail carries its workbook; operators read the outbox's attachments, nobody else."""
from __future__ import annotations

import email
import io
from datetime import date, datetime
from email import policy

import openpyxl
import pytest
from sqlalchemy import func, select

from console.errors import Conflict, DomainError
from console.extensions import db
from console.mail import MAX_ATTACHMENTS_BYTES, OutboxAttachment, OutboxMessage, check_attachments, queue_mail
from console.reports import schedule
from console.reports.models import Export, ExportStatus
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import login, logout
from tests.reports.conftest import table, wait
from tests.reports.test_schedule import subscribe, subscriptions
from tests.tenants.test_isolation import denied
from tests.test_mail import smtp_server  # noqa: F401 - the fixture of a real SMTP server

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def subscribe_both(client, world) -> None:
    for tenant in (world.a, world.b):
        login(client, tenant.users["correspondent"])
        subscribe(client, f"{tenant.collectivite.slug}-elected")
        logout(client)


def monthly_mails() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.execute(select(OutboxMessage).where(OutboxMessage.template == "report_monthly_summary")
                              .order_by(OutboxMessage.recipient)).scalars().all()


def filters(workbook: openpyxl.Workbook) -> dict:
    return {row[0]: row[1] for row in workbook["Filtres"].iter_rows(values_only=True)}


def test_each_subscribed_elu_receives_the_summary_of_their_collectivite_attached(client, world, money):
    subscribe_both(client, world)
    assert schedule.send_monthly_summaries(date(2026, 3, 1)) == 2
    wait()
    alpha, beta = monthly_mails()
    assert (alpha.recipient, beta.recipient) == ("alpha-elected@test.example.fr", "beta-elected@test.example.fr")
    for mail, tenant in ((alpha, world.a), (beta, world.b)):
        [attachment] = mail.attachments
        assert mail.collectivite_id == tenant.id
        assert (attachment.filename, attachment.content_type) == ("Synthèse pour les élus 2026-02.xlsx", XLSX)
        assert attachment.size == len(attachment.content)
        workbook = openpyxl.load_workbook(io.BytesIO(attachment.content))
        assert filters(workbook)["Collectivité"] == tenant.collectivite.name
        assert (filters(workbook)["Période du"], filters(workbook)["Période au"]) == (
            datetime(2026, 2, 1), datetime(2026, 2, 28))
        assert "est jointe à cet e-mail" in mail.body and "du 01/02/2026 au 28/02/2026" in mail.body
    _, beta_partners = table(openpyxl.load_workbook(io.BytesIO(beta.attachments[0].content)), "Par partenaire")
    assert "Médiathèque Alpha" not in {row["Partenaire"] for row in beta_partners}


def test_the_attachment_is_the_complete_exported_file(client, world, money):
    subscribe_both(client, world)
    schedule.send_monthly_summaries(date(2026, 3, 1))
    wait()
    with scoped(EVERYTHING):
        export = db.session.execute(select(Export).where(Export.collectivite_id == world.a.id)).scalar_one()
    assert export.status is ExportStatus.done
    with open(export.file_path, "rb") as file:
        assert monthly_mails()[0].attachments[0].content == file.read()


def test_an_unfinished_export_is_never_attached(client, world, money):
    subscribe_both(client, world)
    schedule.send_monthly_summaries(date(2026, 3, 1))
    wait()
    export = db.session.execute(select(Export).where(Export.collectivite_id == world.a.id)).scalar_one()
    export.status = ExportStatus.running
    with pytest.raises(Conflict):
        schedule.mail_summary(db.session, export)
    assert len(monthly_mails()) == 2  # the two of the finished exports, nothing more


def test_an_elu_unsubscribed_while_the_export_runs_receives_nothing(client, world, money):
    subscribe_both(client, world)
    schedule.send_monthly_summaries(date(2026, 3, 1))
    wait()
    export = db.session.execute(select(Export).where(Export.collectivite_id == world.a.id)).scalar_one()
    with scoped(EVERYTHING):
        for subscription in subscriptions():
            subscription.active = False
        db.session.commit()
    schedule.mail_summary(db.session, export)
    assert len(monthly_mails()) == 2


def test_a_workbook_too_large_to_mail_is_announced_without_it(client, world, money, monkeypatch):
    monkeypatch.setattr("console.mail.MAX_ATTACHMENTS_BYTES", 100)
    subscribe_both(client, world)
    schedule.send_monthly_summaries(date(2026, 3, 1))
    wait()
    for mail in monthly_mails():
        assert mail.attachments == [] and "Exports Excel" in mail.body and "jointe" not in mail.body


def test_attachments_are_refused_over_the_limit_and_nothing_is_written(app):
    check_attachments([("a.bin", "application/octet-stream", b"x" * MAX_ATTACHMENTS_BYTES)])
    too_large = [("a.bin", "application/octet-stream", b"x" * (MAX_ATTACHMENTS_BYTES // 2)),
                 ("b.bin", "application/octet-stream", b"x" * (MAX_ATTACHMENTS_BYTES // 2 + 1))]
    with pytest.raises(DomainError) as refused:
        queue_mail(db.session, "ines@lyon.fr", "account_created", attachments=too_large,
                   user=type("User", (), {"first_name": "Inès", "username": "lyon-elu"}), url="https://console.test/x")
    assert refused.value.field == "attachments"
    db.session.commit()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_real_smtp_server_receives_the_workbook(client, world, money, smtp_server, monkeypatch):  # noqa: F811
    url, inbox = smtp_server
    monkeypatch.setitem(client.application.config, "CONSOLE_SMTP_URL", url)
    login(client, world.a.users["correspondent"])
    subscribe(client, "alpha-elected")
    assert schedule.send_monthly_summaries(date(2026, 3, 1)) == 1
    wait()  # the export, which queues the e-mail once the file is complete
    wait()  # the e-mail
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["alpha-elected@test.example.fr"]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == XLSX
    assert attachment.get_filename() == "Synthèse pour les élus 2026-02.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert filters(workbook)["Collectivité"] == world.a.collectivite.name
    assert monthly_mails()[0].sent_at is not None


def test_only_operators_list_and_download_attachments(client, world, money):
    subscribe_both(client, world)
    schedule.send_monthly_summaries(date(2026, 3, 1))
    wait()
    attachment = monthly_mails()[0].attachments[0]
    url = f"/outboxview/attachment/{attachment.id}"
    for user in ("correspondent", "elected", "support"):
        login(client, world.a.users[user])
        assert denied(client.get(url)), user
        assert denied(client.get("/outboxview/list/")), user
        logout(client)
    login(client, world.operator)
    assert url in client.get("/outboxview/list/").get_data(as_text=True)
    download = client.get(url)
    assert download.status_code == 200 and download.mimetype == XLSX
    assert download.data == attachment.content and "attachment" in download.headers["Content-Disposition"]
    assert client.get("/outboxview/attachment/999999").status_code == 404
    assert db.session.scalar(select(func.count(OutboxAttachment.id))) == 2
