"""The outbox: every e-mail the console sent or keeps, for operators."""
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from console.mail import OutboxMessage
from console.display import FormattedColumns
from console.views.base import READ_ONLY


class OutboxView(FormattedColumns, ModelView):
    datamodel = SQLAInterface(OutboxMessage)
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
    }
    list_columns = ["created_at", "recipient", "subject", "sent_at", "error"]
    show_columns = ["created_at", "recipient", "subject", "body", "template", "sent_at", "error"]
    search_columns = ["recipient", "subject", "template"]
