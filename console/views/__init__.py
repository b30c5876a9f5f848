"""Every view and API of the console, registered in one place."""
from flask import current_app
from flask_appbuilder import AppBuilder
from flask_babel import get_locale, lazy_gettext as _l

from console.i18n import TEMPLATE_FILTERS
from console.views.audit import AuditView
from console.views.choices import CollectiviteChoicesView, PaidRequestChoicesView, PartnerChoicesView
from console.views.collectivites import CollectiviteApi, CollectiviteView
from console.views.complaints import ComplaintsView
from console.views.dashboard import DashboardView
from console.views.errors import install_error_pages
from console.views.outbox import OutboxView
from console.views.money import ReimbursementsView
from console.views.money_bulk import BulkDecisionsView
from console.views.money_api import ReimbursementApi
from console.views.chequier_import import ChequierImportView
from console.views.money_books import ChequeView, ChequierView, FeeScheduleView, PrescripteurView
from console.views.cgu import CguApi
from console.views.lookup import LookupApi, LookupLogView, LookupView
from console.views.partners import AffiliationApi, CguVersionView, PartnerApi, PartnerView
from console.views.reports import ExportView, ReportSubscriptionView
from console.views.passwords import ForgotPasswordView, PasswordLinkView
from console.views.api_clients import ApiClientsView
from console.views.assets import static_url
from console.views.menu import navigation_menu
from console.views.sessions import SessionsView
from console.views.two_factor import TwoFactorView
from console.views.profile import AccessibilityView, ProfileView
from console.views.users import TenantUserView

ADMIN = {"category": "Administration", "category_label": _l("Administration"), "category_icon": "fa-landmark"}
PARTNERS = {"category": "Partners", "category_label": _l("Partners"), "category_icon": "fa-handshake"}
MONEY = {"category": "Money", "category_label": _l("Reimbursements"), "category_icon": "fa-euro-sign"}
REPORTS = {"category": "Reports", "category_label": _l("Reports"), "category_icon": "fa-chart-bar"}


def register_views(appbuilder: AppBuilder) -> None:
    current_app.jinja_env.filters.update(TEMPLATE_FILTERS)
    current_app.jinja_env.globals["page_language"] = lambda: str(get_locale() or "fr")
    current_app.jinja_env.globals["navigation_menu"] = navigation_menu
    current_app.jinja_env.globals["static_url"] = static_url
    install_error_pages(current_app)
    appbuilder.add_view(DashboardView, "Dashboard", label=_l("Dashboard"), icon="fa-chart-line", **REPORTS)
    appbuilder.add_view(ExportView, "Exports", label=_l("Excel exports"), icon="fa-file-excel", **REPORTS)
    appbuilder.add_view(ReportSubscriptionView, "ReportSubscriptions", label=_l("Monthly summary"),
                        icon="fa-envelope-open-text", **REPORTS)
    appbuilder.add_view(PartnerView, "PartnerList", label=_l("Partners"), icon="fa-store", **PARTNERS)
    appbuilder.add_view(LookupView, "PartnerLookup", label=_l("Find a partner"), icon="fa-search", **PARTNERS)
    appbuilder.add_view(CguVersionView, "CguVersions", label=_l("General terms of use (CGU)"), icon="fa-file-pdf",
                        **PARTNERS)
    appbuilder.add_view(LookupLogView, "LookupLog", label=_l("Look-up log"), icon="fa-history", **PARTNERS)
    appbuilder.add_view(CollectiviteView, "Collectivites", label=_l("Collectivités"), icon="fa-landmark", **ADMIN)
    appbuilder.add_view(TenantUserView, "TenantUsers", label=_l("Users of the collectivité"), icon="fa-users", **ADMIN)
    appbuilder.add_view(OutboxView, "Outbox", label=_l("Outbox"), icon="fa-envelope", **ADMIN)
    appbuilder.add_view(AuditView, "AuditTrail", label=_l("Audit trail"), icon="fa-shield-alt", **ADMIN)
    appbuilder.add_view(ApiClientsView, "ApiClients", label=_l("API clients"), icon="fa-plug", **ADMIN)
    appbuilder.add_view_no_menu(ForgotPasswordView)
    appbuilder.add_view_no_menu(PasswordLinkView)
    appbuilder.add_view_no_menu(SessionsView)
    appbuilder.add_view_no_menu(TwoFactorView)
    appbuilder.add_view_no_menu(PartnerChoicesView)
    appbuilder.add_view_no_menu(PaidRequestChoicesView)
    appbuilder.add_view_no_menu(CollectiviteChoicesView)
    appbuilder.add_view_no_menu(ProfileView)
    appbuilder.add_view_no_menu(AccessibilityView)
    appbuilder.add_api(CollectiviteApi)
    appbuilder.add_api(PartnerApi)
    appbuilder.add_api(AffiliationApi)
    appbuilder.add_api(LookupApi)
    appbuilder.add_api(CguApi)
    register_money_views(appbuilder)


def register_money_views(appbuilder: AppBuilder) -> None:
    """Cheques, reimbursements, payment batches, fee schedules and complaints."""
    appbuilder.add_view(ReimbursementsView, "Reimbursements", label=_l("Reimbursement follow-up"),
                        icon="fa-list", **MONEY)
    for name, label, endpoint, icon in (
        ("SubmitReimbursement", _l("Ask for a reimbursement"), "new", "fa-paper-plane"),
        ("AcceptCheque", _l("Register a cheque"), "accept", "fa-check"),
        ("PaymentBatches", _l("Payment batches"), "batches", "fa-university"),
    ):
        appbuilder.add_link(name, href=f"ReimbursementsView.{endpoint}", label=label, icon=icon, **MONEY)
    appbuilder.add_view_no_menu(BulkDecisionsView)
    appbuilder.add_view(ComplaintsView, "Complaints", label=_l("Complaints"), icon="fa-comment", **MONEY)
    appbuilder.add_view(PrescripteurView, "Prescripteurs", label=_l("Authorised prescripteurs"),
                        icon="fa-user-check", **MONEY)
    appbuilder.add_view(ChequierView, "Chequiers", label=_l("Chéquiers"), icon="fa-book", **MONEY)
    appbuilder.add_view(ChequierImportView, "ChequierImport", label=_l("Import chéquiers"), icon="fa-file-import",
                        **MONEY)
    appbuilder.add_view(ChequeView, "Cheques", label=_l("Cheques"), icon="fa-money-check", **MONEY)
    appbuilder.add_view(FeeScheduleView, "FeeSchedules", label=_l("Fee schedules"), icon="fa-percent", **MONEY)
    appbuilder.add_api(ReimbursementApi)
