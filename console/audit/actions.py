"""The closed list of audited actions: ``record()`` refuses any other name.

Each name is ``<object>.<verb>``; the label is what the « Journal d'audit » shows. Add the
name here (and its French in translations/fr/LC_MESSAGES/audit.po) before calling ``record``.
"""
from __future__ import annotations

from console.errors import N_

ACTIONS: dict[str, str] = {
    # security
    "login.success": N_("Signed in"),
    "login.failed": N_("Failed sign-in"),
    "password.change": N_("Password changed"),
    "password.forgotten": N_("Password link sent (forgotten password)"),
    "password.reset": N_("Password reset by an administrator"),
    "session.end_others": N_("Signed out everywhere else"),
    "second_factor.enable": N_("Second factor enabled"),
    "api_client.create": N_("API client created"),
    "api_client.rotate": N_("API client secret renewed"),
    "api_client.revoke": N_("API client revoked"),
    "user.create": N_("User created"),
    "user.update": N_("User changed"),
    "user.role_change": N_("User's roles changed"),
    "user.deactivate": N_("User deactivated"),
    "security.add": N_("Security setting added"),
    "security.edit": N_("Security setting changed"),
    "security.delete": N_("Security setting deleted"),
    "role.copy": N_("Role copied"),
    "collectivite.create": N_("Collectivité created"),
    "collectivite.update": N_("Collectivité changed"),
    # partners
    "partner.submit": N_("Affiliation request recorded"),
    "partner.check_pass": N_("Operator check passed"),
    "partner.check_fail": N_("Operator check failed"),
    "partner.approve": N_("Affiliation approved"),
    "partner.reject": N_("Affiliation rejected"),
    "partner.suspend": N_("Partner suspended"),
    "partner.reinstate": N_("Partner reinstated"),
    "partner.update": N_("Partner information changed"),
    "rib.request": N_("RIB change recorded"),
    "rib.confirm": N_("RIB change confirmed"),
    "rib.cancel": N_("RIB change cancelled"),
    "cgu.publish": N_("CGU version published"),
    "lookup.search": N_("Partner look-up"),
    "lookup.imported": N_("Partner look-up (imported from the former look-up log)"),
    "partner.resend_identifier": N_("Identifier e-mail sent again"),
    "digest.subscribe": N_("Daily digest e-mails switched on"),
    "digest.unsubscribe": N_("Daily digest e-mails switched off"),
    # money
    "chequier.create": N_("Chéquier issued"),
    "chequier.update": N_("Chéquier changed"),
    "chequier.import": N_("Chéquiers imported from a file"),
    "cheque.distribute": N_("Cheques distributed"),
    "prescripteur.create": N_("Prescripteur authorised"),
    "prescripteur.update": N_("Prescripteur changed"),
    "cheque.accept": N_("Cheque registered"),
    "fee_schedule.create": N_("Fee schedule version added"),
    "fee_schedule.update": N_("Fee schedule version changed"),
    "reimbursement.submit": N_("Reimbursement requested"),
    "reimbursement.validate": N_("Reimbursement validated"),
    "reimbursement.reject": N_("Reimbursement rejected"),
    "reimbursement.pay": N_("Reimbursement paid"),
    "batch.add": N_("Requests added to a payment batch"),
    "batch.pay": N_("Payment batch paid"),
    "partner.block": N_("Reimbursements blocked"),
    "partner.unblock": N_("Reimbursements unblocked"),
    # complaints
    "complaint.record": N_("Complaint recorded"),
    "complaint.review": N_("Complaint under review"),
    "complaint.accept": N_("Complaint accepted"),
    "complaint.reject": N_("Complaint rejected"),
    # reports
    "export.create": N_("Export asked for"),
    "export.retry": N_("Export retried"),
    "export.download": N_("Export downloaded"),
    "subscription.create": N_("Élu subscribed to the monthly summary"),
    "subscription.delete": N_("Élu unsubscribed from the monthly summary"),
    # the trail itself
    "audit.checkpoint": N_("Audit checkpoint signed"),
}


class UnknownAction(ValueError):
    """A programming error: the action is not in the registry."""


def check_action(name: str) -> str:
    """The name itself if it is registered, else UnknownAction."""
    if name not in ACTIONS:
        raise UnknownAction(f"{name!r} is not an audited action (console/audit/actions.py)")
    return name
