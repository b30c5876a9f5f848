"""Collectivités: created by operators, read by their own users."""
from flask_babel import lazy_gettext as _l

from console.extensions import db
from console.partners.validators import validate_email
from console.tenants import api as tenants_api
from console.tenants.models import Collectivite
from console.tenants.rules import validate_code, validate_siren, validate_slug
from console.views.lists import ScaledInterface
from console.views.queues import QueueList
from console.views.base import TenantModelRestApi, TenantModelView, form_rule, schema_rule

LABELS = {
    "name": _l("Name"),
    "kind": _l("Kind"),
    "siren": _l("SIREN"),
    "slug": _l("Slug"),
    "code": _l("Code"),
    "contact_email": _l("Contact e-mail"),
    "active": _l("Active"),
    "created_at": _l("Created on"),
    "debtor_name": _l("Debtor account: holder (SEPA transfers)"),
    "debtor_iban": _l("Debtor account: IBAN"),
    "debtor_bic": _l("Debtor account: BIC"),
}
COLUMNS = ["name", "kind", "siren", "slug", "code", "contact_email", "active", "debtor_name", "debtor_iban",
           "debtor_bic"]
RULES = {"siren": validate_siren, "slug": validate_slug, "code": validate_code, "contact_email": validate_email}


class CollectiviteWrites:
    """The form and the API alike: name, SIREN, slug and code checked before writing, the change audited."""

    def pre_add(self, item: Collectivite) -> None:
        tenants_api.save_collectivite(db.session, item, created=True)

    def pre_update(self, item: Collectivite) -> None:
        tenants_api.save_collectivite(db.session, item, created=False)


class CollectiviteView(CollectiviteWrites, QueueList, TenantModelView):
    datamodel = ScaledInterface(Collectivite)
    base_order = ("name", "asc")
    class_permission_name = "Collectivite"
    list_title = _l("Collectivités")
    show_title = _l("Collectivité")
    add_title = _l("New collectivité")
    edit_title = _l("Edit collectivité")
    label_columns = LABELS
    list_columns = ["name", "kind", "siren", "code", "active"]
    show_columns = COLUMNS + ["created_at"]
    add_columns = edit_columns = COLUMNS
    search_columns = ["name", "kind", "siren", "slug", "active"]
    validators_columns = {name: [form_rule(rule)] for name, rule in RULES.items()}


class CollectiviteApi(CollectiviteWrites, TenantModelRestApi):
    resource_name = "collectivite"
    datamodel = ScaledInterface(Collectivite)
    class_permission_name = "Collectivite"
    list_columns = ["id"] + COLUMNS
    show_columns = ["id"] + COLUMNS + ["created_at"]
    add_columns = edit_columns = COLUMNS
    search_columns = ["name", "kind", "siren", "slug", "active"]
    label_columns = LABELS
    validators_columns = {name: schema_rule(rule) for name, rule in RULES.items()}
