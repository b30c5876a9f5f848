"""Every write path of the console, listed: each writes exactly one audit event (right actor, collectivité,
details); a new POST/PUT/DELETE route that is not in the list fails the test."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from flask import g
from sqlalchemy import func, select

import pyotp

from console import jobs
from console.accounts import links, service_accounts, sessions, totp
from console.audit.models import AuditEvent
from console.complaints import api as complaints_api
from console.extensions import db
from console.money import api as money_api
from console.money.dates import server_entry
from console.money.imports import api as chequier_import
from console.money.imports.jobs import accepted_headers
from console.money.models import Chequier, ChequierStatus, FeeSchedule, Prescripteur
from console.partners import api as partners_api
from console.partners import identifier, lookup
from console.queues import digest
from console.partners.models import PartnerStatus, TransitionAction
from console.reports import api as reports_api
from console.reports import schedule
from console.reports.models import ExportKind
from console.tenants import api as tenants_api
from console.tenants.context import EVERYTHING, only, scoped
from console.config import ROLE_ELECTED, ROLE_SERVICE, ROLE_SUPPORT
from console.tenants.models import Collectivite, CollectiviteKind, ConsoleUser, utcnow
from tests.conftest import PASSWORD, csrf_token, login, logout, make_partner
from tests.money import helpers as money
from tests.partners.helpers import FR_BIC, OTHER_FR_IBAN, PDF, user

REFUSED = "no write: the view has no such permission (no delete, no add/edit, no bulk action)"
TRANSITIONS = tuple(f"partner.{a.value}" for a in TransitionAction if a is not TransitionAction.submit)
USER_CHANGE = ("user.update", "user.role_change", "user.deactivate")

#: endpoint -> the action(s) it records, or why it records none. Keep it complete: see the last test.
WRITE_PATHS: dict[str, Any] = {
    "AffiliationApi.submit": ("partner.submit",),
    "AffiliationApi.information": ("partner.update",),
    "AffiliationApi.transition": TRANSITIONS,
    "PartnerApi.post": ("partner.submit",),
    "PartnerApi.put": ("partner.update",),
    "PartnerApi.delete": REFUSED,
    "PartnerView.add": ("partner.submit",),
    "PartnerView.edit": ("partner.update",),
    "PartnerView.transition": TRANSITIONS,
    "PartnerView.request_rib": ("rib.request",),
    "PartnerView.confirm_rib": ("rib.confirm",),
    "PartnerView.cancel_rib": ("rib.cancel",),
    "LookupView.resend_identifier": ("partner.resend_identifier",),
    "ProfileView.digest": ("digest.subscribe", "digest.unsubscribe"),
    "CguVersionView.publish": ("cgu.publish",),
    "CollectiviteApi.post": ("collectivite.create",),
    "CollectiviteApi.put": ("collectivite.update",),
    "CollectiviteApi.delete": REFUSED,
    "CollectiviteView.add": ("collectivite.create",),
    "CollectiviteView.edit": ("collectivite.update",),
    "ReimbursementApi.submit": ("reimbursement.submit",),
    "ReimbursementApi.accept": ("cheque.accept",),
    "ReimbursementsView.new": ("reimbursement.submit",),
    "ReimbursementsView.accept": ("cheque.accept",),
    "ReimbursementsView.validate": ("reimbursement.validate",),
    "ReimbursementsView.reject": ("reimbursement.reject",),
    "ReimbursementsView.pay": ("reimbursement.pay",),
    "BulkDecisionsView.validate": ("reimbursement.validate",),
    "BulkDecisionsView.add_to_batch": ("batch.add",),
    "BulkDecisionsView.pay_batch": ("reimbursement.pay", "batch.pay"),
    "ReimbursementsView.block": ("partner.block",),
    "ReimbursementsView.unblock": ("partner.unblock",),
    "ChequierView.add": ("chequier.create",),
    "ChequierView.edit": ("chequier.update",),
    "ChequierView.distribute": ("cheque.distribute",),
    "ChequierImportView.create": ("chequier.import",),
    "PrescripteurView.add": ("prescripteur.create",),
    "PrescripteurView.edit": ("prescripteur.update",),
    "FeeScheduleView.add": ("fee_schedule.create",),
    "FeeScheduleView.edit": ("fee_schedule.update",),
    "ComplaintsView.new": ("complaint.record",),
    "ComplaintsView.review": ("complaint.review",),
    "ComplaintsView.accept": ("complaint.accept",),
    "ComplaintsView.reject": ("complaint.reject",),
    "ExportView.create": ("export.create",),
    "ExportView.retry": ("export.retry",),
    "ReportSubscriptionView.subscribe": ("subscription.create",),
    "ReportSubscriptionView.unsubscribe": ("subscription.delete",),
    "TenantUserView.add": ("user.create",),
    "TenantUserView.edit": USER_CHANGE,
    "ConsoleUserDBModelView.add": ("user.create",),
    "ConsoleUserDBModelView.edit": USER_CHANGE,
    "ConsoleUserDBModelView.delete": REFUSED,
    "UserInfoEditView.this_form_post": ("user.update",),
    "ResetMyPasswordView.this_form_post": ("password.change",),
    "PasswordLinkView.form": ("password.change",),
    "SessionsView.end_others": ("session.end_others",),
    "TwoFactorView.enrol": ("second_factor.enable",),
    "TwoFactorView.verify": "the sign-in is recorded at its password step; a code only moves its replay guard",
    "ApiClientsView.create": ("api_client.create",),
    "ApiClientsView.rotate": ("api_client.rotate",),
    "ApiClientsView.revoke": ("api_client.revoke",),
    "ConsoleAuthDBView.logout": "no event: signing out ends the session row, it changes nothing of the scheme",
    "ResetPasswordView.this_form_post": ("password.reset",),
    "ForgotPasswordView.form": ("password.forgotten",),
    "ConsoleAuthDBView.login": ("login.success", "login.failed"),
    "ConsoleSecurityApi.login": ("login.success", "login.failed"),
    "ConsoleSecurityApi.refresh": "no write: a new access token for a valid refresh token",
}
for _view in ("CguVersionView", "ChequeView", "OutboxView"):
    WRITE_PATHS.update({f"{_view}.{name}": REFUSED for name in ("add", "edit", "delete", "action", "action_post")})
for _view in ("ChequierView", "CollectiviteView", "FeeScheduleView", "PartnerView", "PrescripteurView",
              "TenantUserView"):
    WRITE_PATHS.update({f"{_view}.{name}": REFUSED for name in ("delete", "action", "action_post")})
WRITE_PATHS.update({"ConsoleUserDBModelView.action": REFUSED, "ConsoleUserDBModelView.action_post": REFUSED})
# The partner list's one bulk action approves the ticked partners, one workflow step (and event) each.
WRITE_PATHS["PartnerView.action_post"] = ("partner.approve",)
for _view in ("RoleModelView", "PermissionModelView", "PermissionViewModelView", "ViewMenuModelView",
              "UserGroupModelView"):
    WRITE_PATHS.update({f"{_view}.{name}": (f"security.{name}",) for name in ("add", "edit", "delete")})
    WRITE_PATHS.update({f"{_view}.{name}": REFUSED for name in ("action", "action_post")})
# FAB's one bulk action on security rows: « Copy Role » (several roles at once, so action_post only).
WRITE_PATHS.update({"RoleModelView.action": REFUSED, "RoleModelView.action_post": ("role.copy",)})


def test_every_write_route_is_in_the_list(app):
    """A new POST/PUT/DELETE route must say here which event it writes (or why none)."""
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
              if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}}
    assert routes - set(WRITE_PATHS) == set(), "write routes missing from WRITE_PATHS"
    assert set(WRITE_PATHS) - routes == set(), "WRITE_PATHS names routes that no longer exist"


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(AuditEvent.id)))


class Walk:
    """Run each write as the views do (actor in ``g.user``, its scope), checking the one event it adds."""

    def __init__(self, app):
        self.app, self.seen = app, set()

    @contextmanager
    def acting(self, username: str):
        actor = user(username)
        scope = EVERYTHING if actor.collectivite_id is None else only(actor.collectivite_id)
        with self.app.test_request_context("/", environ_base={"REMOTE_ADDR": "198.51.100.4"}), scoped(scope):
            g.user = actor
            assert actor.role_names  # loaded as a request's user is (a lazy load would autoflush mid-write)
            yield actor
            db.session.commit()

    def step(self, who: str, action: str, write: Callable[[Any], Any], collectivite_id: Any, events: int = 1,
             **details: Any) -> Any:
        """``events``: an act on several rows writes one event per row before its own (the last one)."""
        before = _count()
        with self.acting(who) as actor:
            result = write(actor)
        assert _count() == before + events, f"{action}: {_count() - before} events"
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert event.action == action
        assert event.actor_login == who, action
        assert collectivite_id is ... or event.collectivite_id == collectivite_id, action
        assert event.client_address == "198.51.100.4"
        for key, value in details.items():
            assert event.details_dict[key] == value, (action, key, event.details)
        self.seen.add(action)
        return result


def test_each_write_of_each_domain_records_one_event(app, world):
    walk = Walk(app)
    a, corr, corr_b, op = world.a.id, world.a.users["correspondent"], world.b.users["correspondent"], "operateur"
    sess = db.session
    # partners
    body = {"name": "Espace numérique", "siret": "73282932000074", "email": "contact@espace.fr",
            "address": "1 rue Haute", "postcode": "69001", "city": "Lyon", "holder": "Asso",
            "iban": money.IBAN, "bic": "BDFEFRPP"}
    pid = walk.step(corr, "partner.submit", lambda u: partners_api.submit(sess, body, u).id, a,
                    siret="73282932000074")
    walk.step(corr, "partner.update", lambda u: partners_api.update_information(sess, pid, {"city": "Bron"}, u), a,
              changes={"city": ["Lyon", "Bron"]})
    walk.step(op, "partner.check_pass", lambda u: partners_api.move(sess, pid, TransitionAction.check_pass, u), a)
    walk.step(corr, "partner.approve", lambda u: partners_api.move(sess, pid, TransitionAction.approve, u), a,
              to="approved")
    change = walk.step(corr, "rib.request", lambda u: partners_api.request_rib_change(
        sess, pid, {"holder": "Asso", "iban": OTHER_FR_IBAN, "bic": "PSSTFRPPLIL"}, u).id, a)
    walk.step(op, "rib.confirm", lambda u: partners_api.confirm_rib_change(sess, change, u), a)
    change = walk.step(corr, "rib.request", lambda u: partners_api.request_rib_change(
        sess, pid, {"holder": "Asso", "iban": money.IBAN, "bic": FR_BIC}, u).id, a)
    walk.step(corr, "rib.cancel", lambda u: partners_api.cancel_rib_change(sess, change, u), a)
    walk.step(corr, "cgu.publish", lambda u: partners_api.publish_cgu(sess, "v1", date(2025, 1, 1), "c.pdf", PDF, u),
              a, label="v1")
    walk.step(world.a.users["support"], "lookup.search", lambda u: lookup.search(sess, "PN-", u, "page"), a)
    walk.step(world.a.users["support"], "partner.resend_identifier",
              lambda u: identifier.resend_identifier(sess, pid, u), a)
    for on in (False, True):
        walk.step(corr, f"digest.{'subscribe' if on else 'unsubscribe'}",
                  lambda u, on=on: digest.set_subscription(sess, u, on), a, daily_digest=on)
    # money
    walk.step(corr, "fee_schedule.create", lambda u: money_api.add_fee_schedule(
        sess, FeeSchedule(effective_from=date(2020, 1, 1), rate=Decimal("1.5"), fixed=Decimal("0"))), a, rate="1.5")
    with scoped(EVERYTHING):
        fid = sess.scalar(select(FeeSchedule.id))

    def edit_schedule(u):
        row = sess.get(FeeSchedule, fid)
        row.fixed = Decimal("0.10")
        return money_api.edit_fee_schedule(sess, row)

    walk.step(corr, "fee_schedule.update", edit_schedule, a, version=1)
    ccas = walk.step(corr, "prescripteur.create", lambda u: money_api.add_prescripteur(
        sess, Prescripteur(name="CCS")).id, a, name="CCS")

    def rename_prescripteur(u):
        row = sess.get(Prescripteur, ccas)
        row.name = "CCAS"
        return money_api.edit_prescripteur(sess, row)

    walk.step(corr, "prescripteur.update", rename_prescripteur, a, changes={"name": ["CCS", "CCAS"]})
    for number in ("CQ1", "CQ2"):
        walk.step(corr, "chequier.create", lambda u, number=number: money_api.issue_chequier(sess, Chequier(
            number=number, issued_to=sess.get(Prescripteur, ccas), issued_on=date(2025, 1, 2),
            validity_date=date(2099, 12, 31))), a, number=number, prescripteur="CCAS")

    entry = server_entry(utcnow())
    today = entry.day

    def import_file(u):
        imported = chequier_import.create_import(sess, u, a, "chequiers.csv", "", False, "fr")
        data = f"Numéro du chéquier;Prescripteur;Date d’émission;Date de validité\nCQ3;CCAS;02/01/2025;{today:%d/%m/%Y}"
        return chequier_import.run(sess, imported, u, data.encode(), accepted_headers(), today, lambda *_: None)

    walk.step(corr, "chequier.import", import_file, a, rows=1, written=1, invalid=0)

    def distribute(u):
        row = sess.scalar(select(Chequier).where(Chequier.number == "CQ1"))
        row.status, row.distributed_on = ChequierStatus.distributed, date(2025, 1, 3)
        return money_api.edit_chequier(sess, row, today)

    walk.step(corr, "chequier.update", distribute, a)
    walk.step(corr, "cheque.distribute", lambda u: money_api.distribute_cheques(
        sess, sess.scalar(select(Chequier.id).where(Chequier.number == "CQ2")), "CQ2-01", today, today), a,
        cheques=["CQ2-01"])
    for n in (1, 2, 3):
        walk.step(corr, "cheque.accept", lambda u, n=n: money_api.accept_cheque(sess, f"CQ1-0{n}", pid, entry), a)
    request_ids = [walk.step(corr, "reimbursement.submit", lambda u, n=n: money_api.submit_request(
        sess, pid, [f"CQ1-0{n}"], entry, u.id).request.id, a, cheques=[f"CQ1-0{n}"]) for n in (1, 2, 3)]
    walk.step(corr, "reimbursement.reject", lambda u: money_api.reject_request(sess, request_ids[2], "doublon",
                                                                                today, u.id), a, reason="doublon")
    for rid in request_ids[:2]:
        walk.step(corr, "reimbursement.validate", lambda u, rid=rid: money_api.validate_request(sess, rid, today,
                                                                                                 u.id), a)
    walk.step(corr, "reimbursement.pay", lambda u: money_api.pay_request(sess, request_ids[0], today, "VIR-1",
                                                                          today, u.id), a, transfer_reference="VIR-1")
    batch = walk.step(corr, "batch.add", lambda u: money_api.add_to_batch(sess, [request_ids[1]], today, u.id).id, a)
    walk.step(corr, "batch.pay", lambda u: money_api.pay_batch(sess, batch, today, "VIR-2", today, u.id), a,
              events=2, transfer_reference="VIR-2")
    paid = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)).all()[1]
    assert (paid.action, paid.object_id, paid.details_dict["transfer_reference"]) == (
        "reimbursement.pay", str(request_ids[1]), "VIR-2")
    walk.step(op, "partner.block", lambda u: money_api.block_partner(sess, pid, "soupçon", u.id, True), a,
              reason="soupçon", set_by_operator=True)
    walk.step(op, "partner.unblock", lambda u: money_api.unblock_partner(
        sess, pid, "Vérification faite : aucune fraude constatée.", u.id, True), a)
    # complaints
    complaint = walk.step(corr, "complaint.record", lambda u: complaints_api.record_complaint(
        sess, request_ids[0], today, "email", "Montant erroné", u.id).id, a)
    walk.step(corr, "complaint.review", lambda u: complaints_api.start_review(sess, complaint, u.id), a)
    walk.step(corr, "complaint.accept", lambda u: complaints_api.accept_complaint(
        sess, complaint, Decimal("1.00"), "erreur", today, u.id), a, correction_amount="1.00")
    second = walk.step(corr, "complaint.record", lambda u: complaints_api.record_complaint(
        sess, request_ids[0], today, "email", "Autre", u.id).id, a)
    walk.step(corr, "complaint.review", lambda u: complaints_api.start_review(sess, second, u.id), a)
    walk.step(corr, "complaint.reject", lambda u: complaints_api.reject_complaint(sess, second, "non", today, u.id),
              a, reason="non")
    # reports
    export = walk.step(world.a.users["elected"], "export.create", lambda u: reports_api.request_export(
        sess, u, ExportKind.summary, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31)).id, a,
        kind="summary")
    elu = user(world.a.users["elected"]).id
    walk.step(corr, "subscription.create", lambda u: schedule.subscribe(sess, only(a), u, elu), a)
    with scoped(EVERYTHING):
        subscription = sess.scalar(select(schedule.ReportSubscription.id))
    walk.step(corr, "subscription.delete", lambda u: schedule.unsubscribe(sess, subscription), a)
    # users and collectivités
    walk.step(op, "collectivite.update", lambda u: setattr(sess.get(Collectivite, a), "contact_email",
                                                           "mairie@alpha.fr") or tenants_api.audit_collectivite(
        sess, sess.get(Collectivite, a), created=False), a)
    target = user(world.a.users["support"]).id

    def deactivate(u):
        row = sess.get(ConsoleUser, target)
        row.active = False
        tenants_api.audit_user(sess, row, created=False)

    walk.step(corr, "user.deactivate", deactivate, a, changes={"active": [True, False]})
    walk.step(corr_b, "password.change", lambda u: tenants_api.audit_password_set(sess, u, u), world.b.id)
    walk.step(op, "password.reset", lambda u: tenants_api.audit_password_set(sess, user(corr_b), u), world.b.id)

    def create_user(u):
        row = ConsoleUser(first_name="Nouvel", last_name="Agent", username="alpha-new", email="new@alpha.fr",
                          active=True, roles=[sm.find_role(ROLE_SUPPORT)])
        tenants_api.attach_user(sess, row, only(a))
        tenants_api.audit_user(sess, row, created=True)

    sm = app.appbuilder.sm
    walk.step(corr, "user.create", create_user, a, username="alpha-new", roles=[ROLE_SUPPORT])

    def rename(u):
        row = sess.get(ConsoleUser, user("alpha-new").id)
        row.last_name = "Agente"
        tenants_api.audit_user(sess, row, created=False)

    walk.step(corr, "user.update", rename, a, changes={"last_name": ["Agent", "Agente"]})

    def promote(u):
        row = sess.get(ConsoleUser, user("alpha-new").id)
        row.roles = [sm.find_role(ROLE_ELECTED)]
        tenants_api.audit_user(sess, row, created=False)

    walk.step(corr, "user.role_change", promote, a, changes={"roles": [[ROLE_SUPPORT], [ROLE_ELECTED]]})
    walk.step(op, "collectivite.create", lambda u: tenants_api.audit_collectivite(sess, Collectivite(
        name="Gamma", kind=CollectiviteKind.commune, siren="200046977", slug="gamma", code="GAM",
        contact_email="c@gamma.fr"), created=True), ..., slug="gamma")
    with scoped(EVERYTHING):  # the new collectivité's first event opens its own chain
        gamma = sess.scalar(select(Collectivite.id).where(Collectivite.slug == "gamma"))
    assert db.session.scalars(select(AuditEvent.collectivite_id).order_by(AuditEvent.id.desc())).first() == gamma
    other = make_partner(world.a.collectivite, number=3)
    for action in (TransitionAction.check_fail, TransitionAction.reject):
        walk.step(corr if action is TransitionAction.reject else op, f"partner.{action.value}",
                  lambda u, action=action: partners_api.move(sess, other, action, u, "duplicate", "doublon"), a)
    for action in (TransitionAction.suspend, TransitionAction.reinstate):
        walk.step(corr, f"partner.{action.value}",
                  lambda u, action=action: partners_api.move(sess, pid, action, u, None, "contrôle"), a)
    assert export
    covered = {action for actions in WRITE_PATHS.values() if isinstance(actions, tuple) for action in actions}
    # Walked through HTTP by the next tests; a failed export to retry needs a failing job (tests/reports).
    # accounts: API clients (operator), second factor, sessions, password links
    client_id = walk.step(op, "api_client.create", lambda u: service_accounts.create_client(
        sess, "Extranet", a, ["cgu_read"], sm.find_role(ROLE_SERVICE))[0].id, a, scopes=["cgu_read"])
    walk.step(op, "api_client.rotate", lambda u: service_accounts.rotate_secret(sess, sess.get(ConsoleUser, client_id)),
              a)
    walk.step(op, "api_client.revoke", lambda u: service_accounts.revoke(sess, sess.get(ConsoleUser, client_id)), a)
    secret = totp.new_secret()
    walk.step(corr, "second_factor.enable", lambda u: totp.enrol(sess, u, secret, pyotp.TOTP(secret).now()), a)
    walk.step(corr, "session.end_others", lambda u: sessions.sign_out_elsewhere(sess, u, None), a)

    def use_link(u):
        token = links.issue_link(sess, user(corr_b), "reset")
        return links.use_link(sess, token, "Un-nouveau-mot-de-passe-7")

    walk.step(corr_b, "password.change", use_link, world.b.id)
    walked_elsewhere = {"login.success", "login.failed", "password.forgotten", "security.add", "security.edit",
                        "security.delete", "role.copy", "export.retry"}
    assert covered - walk.seen - walked_elsewhere == set()


def test_sign_ins_failures_and_forgotten_passwords_are_recorded(app, client, world):
    username = world.a.users["correspondent"]
    response = client.post("/login/", data={"username": username, "password": "wrong-password-1",
                                            "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    login(client, username)
    client.post("/api/v1/security/login", json={"username": "nobody", "password": "x", "provider": "db"})
    logout(client)
    client.post("/forgot-password/", data={"login": username, "csrf_token": csrf_token(client, "/forgot-password/")})
    jobs.runner().wait(timeout=30)  # the link is looked up and e-mailed by a job
    db.session.expire_all()
    rows = db.session.execute(select(AuditEvent.action, AuditEvent.collectivite_id, AuditEvent.actor_login,
                                     AuditEvent.details).order_by(AuditEvent.id)).all()
    assert [(r.action, r.collectivite_id, r.actor_login) for r in rows] == [
        ("login.failed", world.a.id, None), ("login.success", world.a.id, username),
        ("login.failed", None, None), ("password.forgotten", world.a.id, None)]
    assert '"channel":"api"' in rows[2].details and '"login":"nobody"' in rows[2].details
    assert PASSWORD not in "".join(r.details for r in rows)


def test_operators_security_pages_record_their_changes(app, client, world):
    login(client, "operateur")
    token = csrf_token(client, "/roles/add")
    assert client.post("/roles/add", data={"name": "Auditeurs", "csrf_token": token}).status_code == 302
    from flask_appbuilder.security.sqla.models import PermissionView, Role

    db.session.expire_all()
    pk = db.session.scalar(select(Role.id).where(Role.name == "Auditeurs"))
    permission = db.session.scalar(select(PermissionView.id).order_by(PermissionView.id))
    client.post(f"/roles/edit/{pk}", data={"name": "Auditeurs internes", "permissions": [permission],
                                           "csrf_token": token})
    for _ in range(2):  # the second copy's name is taken: refused, nothing written
        client.post("/roles/action_post", data={"action": "copyrole", "rowid": [pk], "csrf_token": token})
    client.post(f"/roles/delete/{pk}", data={"csrf_token": token})
    db.session.expire_all()
    rows = db.session.execute(select(AuditEvent.action, AuditEvent.object_type, AuditEvent.actor_login,
                                     AuditEvent.collectivite_id, AuditEvent.details)
                              .where(AuditEvent.action.like("security.%") | AuditEvent.action.like("role.%"))
                              .order_by(AuditEvent.id)).all()
    assert [tuple(row)[:4] for row in rows] == [(action, "ab_role", "operateur", None) for action in (
        "security.add", "security.edit", "role.copy", "security.delete")]
    granted = str(db.session.get(PermissionView, permission))
    assert json.loads(rows[1].details)["changes"] == {"name": ["Auditeurs", "Auditeurs internes"],
                                                      "permissions": [[], [granted]]}
    assert json.loads(rows[2].details) == {"model": "ab_role", "name": "Auditeurs internes copy",
                                           "copied_from": "Auditeurs internes", "permissions": [granted]}
    copy = db.session.scalars(select(Role).where(Role.name == "Auditeurs internes copy")).one()
    assert [str(p) for p in copy.permissions] == [granted]
