"""Demo data of the partners domain: timelines for every state, RIB histories, pending RIB changes,
CGU versions, « Mes informations » history and look-up history (a step of `console demo`)."""
from __future__ import annotations

import random
import secrets
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from console.config import ROLE_CORRESPONDENT
from console.extensions import db
from console.partners import lookup
from console.partners.models import (
    AffiliationTransition, BankAccount, CguVersion, Partner, PartnerChange, PartnerStatus,
    RejectionReason, RibChangeRequest, StoredDocument, TransitionAction,
)
from console.tenants.models import Collectivite, ConsoleUser, utcnow

S, A = PartnerStatus, TransitionAction
# The steps that lead to each status, after the submission.
PATHS = {
    S.submitted: [],
    S.checked: [(A.check_pass, S.checked)],
    S.approved: [(A.check_pass, S.checked), (A.approve, S.approved)],
    S.rejected: [(A.check_fail, S.checked), (A.reject, S.rejected)],
    S.suspended: [(A.check_pass, S.checked), (A.approve, S.approved), (A.suspend, S.suspended)],
}
REASONS = {A.check_fail: "Extrait Kbis illisible", A.suspend: "Contrôle en cours sur des chèques enregistrés en double"}
# Bank codes of real French banks (BIC, 5-digit bank code) for realistic IBANs.
BANKS = [("AGRIFRPP", "30006"), ("BNPAFRPP", "30004"), ("SOGEFRPP", "30003"), ("CEPAFRPP", "11315"),
         ("CCBPFRPP", "10907"), ("PSSTFRPP", "20041")]
SEARCHES = ["mediatheque", "PN-", "69001", "lilas", "contact1@", "centre social", "bordeaux", "tiers-lieu"]


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF naming the document."""
    text = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode("latin-1", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def demo_iban(rng: random.Random, bank: str) -> str:
    """A French IBAN with a valid RIB key and valid check digits."""
    branch = "".join(rng.choice("0123456789") for _ in range(5))
    account = "".join(rng.choice("0123456789") for _ in range(11))
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{key:02d}"
    check = 98 - int(bban + "152700") % 97
    return f"FR{check:02d}{bban}"


def _document(collectivite: Collectivite, title: str) -> StoredDocument:
    import hashlib

    data = demo_pdf(title)
    return StoredDocument(collectivite=collectivite, filename=title.replace(" ", "_") + ".pdf",
                          content_type="application/pdf", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                          content=data)


def _second_correspondent(collectivite: Collectivite) -> ConsoleUser:
    """The colleague who records RIB changes: the demo correspondent then confirms them (four eyes)."""
    sm = current_app.appbuilder.sm
    user = sm.add_user(f"{collectivite.slug}-correspondant2", "Claire", "Seconde",
                       f"{collectivite.slug}-correspondant2@demo.passnumerique.fr", sm.find_role(ROLE_CORRESPONDENT),
                       secrets.token_urlsafe(24))
    user.collectivite = collectivite
    return user


def partners_step(rng: random.Random, collectivites: list[Collectivite]) -> None:
    """Timelines, RIBs, CGU versions, edits and look-ups for the demo partners."""
    today = date.today()
    colleagues = {c.id: _second_correspondent(c) for c in collectivites}
    versions = {}
    for collectivite in collectivites:
        for label, effective_on in (("2024-1", date(2024, 1, 1)), ("2026-1", today - timedelta(days=120))):
            version = CguVersion(collectivite=collectivite, label=label, effective_on=effective_on,
                                 document=_document(collectivite, f"CGU {collectivite.code} {label}"))
            db.session.add(version)
            versions.setdefault(collectivite.id, []).append(version)
    partners = db.session.scalars(select(Partner).order_by(Partner.id)).all()
    for number, partner in enumerate(partners):
        colleague = colleagues[partner.collectivite_id]
        submitted = utcnow() - timedelta(days=rng.randint(20, 600))
        partner.submitted_at = submitted
        partner.cgu_version = versions[partner.collectivite_id][0 if submitted.date() < versions[
            partner.collectivite_id][1].effective_on else 1]
        _timeline(rng, partner, submitted, colleague)
        if partner.status is not S.submitted or number % 2:
            _ribs(rng, partner, submitted, colleague, pending=number % 9 == 0 and partner.status is S.approved)
        if number % 7 == 0:
            db.session.add(PartnerChange(partner=partner, collectivite_id=partner.collectivite_id, field="phone",
                                         old_value=None, new_value=partner.phone, changed_by=colleague,
                                         changed_at=submitted + timedelta(days=30)))
    for number, search in enumerate(SEARCHES * 3):
        # Audited as the look-up does it; the demo runs unscoped, so the search keeps to the collectivité.
        collectivite = collectivites[number % len(collectivites)]
        found = db.session.scalars(select(Partner.identifier).where(
            Partner.collectivite_id == collectivite.id, lookup.criterion(search))
            .order_by(Partner.name_key, Partner.id).limit(lookup.MAX_RESULTS)).all()
        lookup.audit(db.session, colleagues[collectivite.id], search, "page" if number % 3 else "api", found)
    db.session.flush()


def _timeline(rng: random.Random, partner: Partner, at, colleague: ConsoleUser) -> None:
    steps = [(A.submit, None, S.submitted)]
    previous = S.submitted
    for action, status in PATHS[partner.status]:
        steps.append((action, previous, status))
        previous = status
    for index, (action, old, new) in enumerate(steps):
        # The submission step is the partner's submission itself: the page shows both, at the same minute.
        when = at if index == 0 else at + timedelta(days=3 * index, hours=rng.randint(1, 8))
        db.session.add(AffiliationTransition(
            partner=partner, collectivite_id=partner.collectivite_id, action=action, from_status=old, to_status=new,
            reason_code=rng.choice(list(RejectionReason)) if action is A.reject else None,
            reason=REASONS.get(action), user=colleague if action not in (A.check_pass, A.check_fail) else None,
            at=when))
        if action is A.approve:
            partner.approved_at = when
    partner.check_passed = None if partner.status is S.submitted else partner.status is not S.rejected


def _ribs(rng: random.Random, partner: Partner, at, colleague: ConsoleUser, pending: bool) -> None:
    history = rng.randint(1, 3)
    # The RIBs share the time since the submission: the current one started before today.
    step = (utcnow() - at) / history
    for index in range(history):
        bic, bank = rng.choice(BANKS)
        current = index == history - 1
        db.session.add(BankAccount(
            partner=partner, collectivite_id=partner.collectivite_id, holder=partner.name[:200],
            iban=demo_iban(rng, bank), bic=bic, created_at=at + step * index,
            replaced_at=None if current else at + step * (index + 1),
            document=_document(partner.collectivite, f"RIB {partner.identifier}") if current else None))
    if pending:
        bic, bank = rng.choice(BANKS)
        db.session.add(RibChangeRequest(partner=partner, collectivite_id=partner.collectivite_id,
                                        holder=partner.name[:200], iban=demo_iban(rng, bank), bic=bic,
                                        requested_by=colleague))
