"""Partners (structures labellisées): the list, form and REST API of the foundation."""
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from functools import partial

from console.partners.api import REQUIRED, RULES
from console.partners.validators import validate_required
from console.partners.models import Partner
from console.views.base import TenantModelRestApi, TenantModelView, form_rule, schema_rule

LABELS = {
    "identifier": _l("Identifier"),
    "name": _l("Name"),
    "siret": _l("SIRET"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "address": _l("Address"),
    "postcode": _l("Postcode"),
    "city": _l("City"),
    "status": _l("Status"),
    "collectivite": _l("Collectivité"),
    "submitted_at": _l("Submitted on"),
    "approved_at": _l("Approved on"),
}
FORM_COLUMNS = ["name", "siret", "email", "phone", "address", "postcode", "city", "collectivite"]
SEARCH_COLUMNS = ["identifier", "name", "siret", "email", "postcode", "city", "status", "collectivite"]
# A JSON body may send "" where a form field would be missing: required fields are checked too.
API_RULES = {**{field: partial(validate_required, field=field) for field in REQUIRED}, **RULES}


class PartnerView(TenantModelView):
    datamodel = SQLAInterface(Partner)
    class_permission_name = "Partner"
    list_title = _l("Partners")
    show_title = _l("Partner")
    add_title = _l("New partner")
    edit_title = _l("Edit partner")
    label_columns = LABELS
    list_columns = ["identifier", "name", "siret", "postcode", "city", "status", "collectivite"]
    show_columns = ["identifier"] + FORM_COLUMNS + ["status", "submitted_at", "approved_at"]
    add_columns = edit_columns = FORM_COLUMNS
    search_columns = SEARCH_COLUMNS
    order_columns = ["identifier", "name", "postcode", "city", "status"]
    validators_columns = {name: [form_rule(rule)] for name, rule in RULES.items()}


class PartnerApi(TenantModelRestApi):
    resource_name = "partner"
    datamodel = SQLAInterface(Partner)
    class_permission_name = "Partner"
    list_columns = ["id", "identifier", "name", "siret", "email", "postcode", "city", "status", "collectivite.id"]
    show_columns = ["id", "identifier"] + FORM_COLUMNS + ["status", "submitted_at", "approved_at"]
    add_columns = edit_columns = FORM_COLUMNS
    search_columns = SEARCH_COLUMNS
    label_columns = LABELS
    validators_columns = {name: schema_rule(rule) for name, rule in API_RULES.items()}
