"""The outbox: every e-mail the console sent or keeps, and the files sent with them, for operators."""
import io

from flask import Response, abort, send_file, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from console.display import FormattedColumns
from console.extensions import db
from console.mail import OutboxAttachment, OutboxMessage
from console.views.base import READ_ONLY
from console.views.lists import BoundedList, ScaledInterface


def attachment_links(attachments: list[OutboxAttachment]) -> Markup:
    """The attachments' names, each a link to download it."""
    return Markup(", ").join(
        Markup('<a href="{}">{}</a>').format(url_for("OutboxView.attachment", pk=each.id), escape(each.filename))
        for each in attachments
    )


class OutboxView(BoundedList, FormattedColumns, ModelView):
    datamodel = ScaledInterface(OutboxMessage)
    class_permission_name = "Outbox"
    base_permissions = READ_ONLY
    base_order = ("created_at", "desc")
    list_title = _l("Outbox")
    show_title = _l("E-mail")
    label_columns = {
        "recipient": _l("Recipient"),
        "subject": _l("Subject"),
        "body": _l("Body"),
        "created_at": _l("Created on"),
        "sent_at": _l("Sent on"),
        "error": _l("Error"),
        "template": _l("Template"),
        "attachments": _l("Attachments"),
    }
    list_columns = ["created_at", "recipient", "subject", "attachments", "sent_at", "error"]
    show_columns = ["created_at", "recipient", "subject", "body", "attachments", "template", "sent_at", "error"]
    search_columns = ["recipient", "subject", "template"]
    formatters_columns = {"attachments": attachment_links}

    @expose("/attachment/<int:pk>")
    @has_access
    @permission_name("show")  # whoever may read the outbox's e-mails (operators) may read their files
    def attachment(self, pk: int) -> Response:
        attachment = db.session.get(OutboxAttachment, pk)
        if attachment is None:
            abort(404)
        return send_file(io.BytesIO(attachment.content), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename)
