"""The four roles of DESIGN.md as Flask-AppBuilder built-in roles.

Each role is a list of ``[view-name regex, permission regex]`` pairs matched
with ``re.match`` (FAB_ROLES). Built-in roles live in code, not in the
database, so they cannot drift and permission checks need no query. Tenant
roles never get FAB's user/role views nor ``ResetPasswordView`` (it resets
ANY user's password): only their own profile and password.
"""
from console.config import ROLE_CORRESPONDENT, ROLE_ELECTED, ROLE_OPERATOR, ROLE_SERVICE, ROLE_SUPPORT

READ = "can_(list|show|get|info)$"
WRITE = "can_(list|show|get|info|add|edit|post|put)$"

# Every authenticated user may read and change their own profile and password.
SELF_SERVICE = [
    ["UserDBModelView", "(can_userinfo|resetmypassword)$"],
    ["UserInfoEditView", "can_this_form_(get|post)$"],
    ["ResetMyPasswordView", "can_this_form_(get|post)$"],
    ["Home", "can_(index)$"],
    ["Sessions", "can_end_others$"],
    ["Profile", "can_show$"],
]


def _menus(*names: str) -> list:
    return [["(" + "|".join(names) + ")$", "menu_access"]]


# Dashboard and Excel exports; which exports (and figures) each role gets is decided in reports.access.
REPORTS = [["Dashboard", "can_show$"], ["Export", "can_(list|create|download)$"]] + _menus(
    "Reports", "Dashboard", "Exports"
)
# Correspondents also subscribe their élus to the monthly summary workbook.
REPORT_SUBSCRIPTIONS = [["ReportSubscription", "can_(list|edit)$"]] + _menus("ReportSubscriptions")

# Correspondents run their collectivité's money: Élus and support agents get none of it (DESIGN).
MONEY = [
    ["Reimbursement", "can_(read|submit|accept|validate|pay|block)$"],
    ["Complaint", "can_(read|record|decide)$"],
    ["Chequier", WRITE],
    ["ChequierImport", "can_(list|create)$"],
    ["Prescripteur", WRITE],
    ["Cheque", READ],
    ["FeeSchedule", WRITE],
] + _menus("Money", "Reimbursements", "SubmitReimbursement", "AcceptCheque", "PaymentBatches", "Complaints",
           "Prescripteurs", "Chequiers", "ChequierImport", "Cheques", "FeeSchedules")

ROLES = {
    ROLE_OPERATOR: [[".*", ".*"]],
    ROLE_CORRESPONDENT: SELF_SERVICE
    + [
        ["Collectivite", READ],
        ["Partner", WRITE],
        ["Partner", "can_(transition|manage_rib|download)$"],
        ["CguVersion", "can_(list|show|publish|download)$"],
        ["Lookup", "can_search$"],
        ["TenantUser", WRITE],
        # The audit trail of their collectivité (tenants.scoping keeps the others' and the platform's out).
        ["AuditTrail", "can_list$"],
    ]
    + _menus("Administration", "Collectivites", "TenantUsers", "AuditTrail", "Partners", "PartnerList")
    + REPORT_SUBSCRIPTIONS
    + _menus("PartnerLookup", "CguVersions")
    + REPORTS
    + MONEY,
    # Support agents reach partners only through the audited look-up (DESIGN: every look-up is audited).
    ROLE_SUPPORT: SELF_SERVICE
    + [
        ["Collectivite", READ],
        ["CguVersion", "can_(list|show|download)$"],
        ["Lookup", "can_search$"],
    ]
    + _menus("Partners", "PartnerLookup", "CguVersions")
    + REPORTS,
    # Élus read the dashboard and the Excel reports, and may download the CGU (partners and officials may).
    ROLE_ELECTED: SELF_SERVICE
    + [
        ["Collectivite", READ],
        ["CguVersion", "can_(list|show|download)$"],
    ]
    + _menus("Partners", "CguVersions")
    + REPORTS,
}

# API clients of the partner extranet: at most these endpoints, and only those of their scopes
# (accounts.service_accounts.SCOPES, checked by the security manager's has_access). No web page.
ROLES[ROLE_SERVICE] = [
    ["Partner", "can_post$"],
    ["Reimbursement", "can_(submit|accept)$"],
    ["CguVersion", "can_(list|download)$"],
]

TENANT_ROLES = (ROLE_CORRESPONDENT, ROLE_SUPPORT, ROLE_ELECTED)
