"""E-mails: always in the outbox; sent by a real SMTP server from a job when CONSOLE_SMTP_URL is set."""
import socket

import pytest
from aiosmtpd.controller import Controller
from rq import SimpleWorker
from sqlalchemy import select

from console import jobs
from console.extensions import db
from console.mail import OutboxMessage, queue_mail, send_message
from tests.conftest import service_url


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", inbox
    controller.stop()


class User:
    first_name, username = "Inès", "lyon-elu"


def test_without_smtp_the_mail_stays_in_the_outbox(app):
    queue_mail(db.session, "ines@lyon.fr", "account_created", user=User, url="https://console.test/x")
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.subject == "Votre accès à la Console Pass Numérique" and message.sent_at is None


def test_with_smtp_the_mail_is_sent_after_commit(app, smtp_server, monkeypatch):
    url, inbox = smtp_server
    monkeypatch.setitem(app.config, "CONSOLE_SMTP_URL", url)
    queue_mail(db.session, "ines@lyon.fr", "account_created", user=User, url="https://console.test/s3cret")
    assert inbox.messages == []  # nothing leaves before the commit
    db.session.commit()
    jobs.runner().wait(timeout=30)
    assert [m.rcpt_tos for m in inbox.messages] == [["ines@lyon.fr"]]
    assert "s3cret" in inbox.messages[0].content.decode()
    db.session.expire_all()
    assert db.session.scalars(select(OutboxMessage.sent_at)).one() is not None


def test_an_rq_worker_sends_the_mail(app, smtp_server, monkeypatch):
    url, inbox = smtp_server
    monkeypatch.setitem(app.config, "CONSOLE_SMTP_URL", url)
    runner = jobs.RqRunner(service_url("CONSOLE_TEST_REDIS_URL"))
    runner.queue.empty()
    message = queue_mail(db.session, "ines@lyon.fr", "account_created", user=User, url="https://console.test/s3cret")
    db.session.info.pop("outbox")  # enqueue it on Redis ourselves instead of the in-process runner
    db.session.commit()
    runner.enqueue(send_message, message.id)
    SimpleWorker([runner.queue], connection=runner.connection).work(burst=True)
    assert [m.rcpt_tos for m in inbox.messages] == [["ines@lyon.fr"]]
