"""Outgoing e-mails: always kept in the outbox; sent by SMTP from a job when CONSOLE_SMTP_URL is set.

Templates live in ``console/templates/mail/<name>.txt``: the first line is the
subject, the rest the body. They are rendered in French (the partners'
language) with the console's catalogues, without Flask, so domain APIs can
queue e-mails.
"""
from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage
from functools import lru_cache
from typing import Any, Iterable, Optional
from urllib.parse import unquote, urlparse

from babel.support import Translations
from flask_appbuilder import Model
from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from console.config import TRANSLATIONS
from console.errors import N_, DomainError
from console.tenants.models import utcnow

MAX_ATTACHMENTS_BYTES = 10 * 1024 * 1024  # what common mail servers accept once base64 has grown it by a third
Attachment = tuple[str, str, bytes]  # (file name, content type, content)


class OutboxMessage(Model):
    """One e-mail the console sent or will send, kept as a record."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collectivite_id: Mapped[Optional[int]] = mapped_column(ForeignKey("collectivite.id"), nullable=True, index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    attachments: Mapped[list["OutboxAttachment"]] = relationship(
        back_populates="message", order_by="OutboxAttachment.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class OutboxAttachment(Model):
    """One file sent with an outbox message, kept with it."""

    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), index=True)
    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    # Deferred: listing the outbox names the files without loading them.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return self.filename


@lru_cache(maxsize=4)
def _environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("console", "templates/mail"),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(Translations.load(TRANSLATIONS, [locale]), newstyle=True)
    return env


def render(template: str, locale: str = "fr", **context: Any) -> tuple[str, str]:
    """(subject, body) of a mail template."""
    text = _environment(locale).get_template(f"{template}.txt").render(**context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def check_attachments(attachments: list[Attachment]) -> None:
    """Refuse attachments whose total size exceeds what an e-mail may carry."""
    size = sum(len(content) for _name, _type, content in attachments)
    if size > MAX_ATTACHMENTS_BYTES:
        raise DomainError(N_("The attachments of an e-mail may not exceed %(limit)s bytes (%(size)s given)."),
                          rule="mail_attachments", field="attachments", limit=MAX_ATTACHMENTS_BYTES, size=size)


def queue_mail(
    session: Session, recipient: str, template: str, collectivite_id: int | None = None,
    attachments: Iterable[Attachment] = (), **context: Any
) -> OutboxMessage:
    """Record an e-mail (and its attachments) in the outbox; it is sent after the transaction commits."""
    attachments = list(attachments)
    check_attachments(attachments)
    subject, body = render(template, **context)
    message = OutboxMessage(
        recipient=recipient, subject=subject, body=body, template=template, collectivite_id=collectivite_id,
        attachments=[OutboxAttachment(filename=name, content_type=content_type, content=content, size=len(content))
                     for name, content_type, content in attachments],
    )
    session.add(message)
    session.info.setdefault("outbox", []).append(message)
    return message


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    messages = session.info.pop("outbox", [])
    if not messages:
        return
    from flask import current_app, has_app_context

    if not has_app_context() or not current_app.config.get("CONSOLE_SMTP_URL"):
        return  # no SMTP: the outbox is where e-mails are read
    from console import jobs

    for message in messages:
        jobs.enqueue(send_message, message.id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("outbox", None)


def send_message(message_id: int) -> None:
    """Job: send one outbox message by SMTP and record the outcome."""
    from flask import current_app

    from console.extensions import db

    message = db.session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id)).scalar_one()
    if message.sent_at is not None:
        return
    config = current_app.config
    mail = EmailMessage()
    mail["From"] = config["CONSOLE_MAIL_SENDER"]
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    try:
        deliver(config["CONSOLE_SMTP_URL"], mail)
    except (OSError, smtplib.SMTPException) as error:
        message.error = str(error)
        db.session.commit()
        raise
    message.sent_at = utcnow()
    message.error = None
    db.session.commit()


def deliver(url: str, mail: EmailMessage) -> None:
    """Send one e-mail to smtp://[user:password@]host[:port] (smtps:// for TLS, ?starttls=1)."""
    parts = urlparse(url)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    client_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with client_class(parts.hostname, port, timeout=30) as client:
        if "starttls=1" in (parts.query or ""):
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(mail)
