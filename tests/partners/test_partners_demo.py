"""The demo holds partners in every state with their timeline, RIB histories, pending changes, CGU and look-ups."""
from sqlalchemy import func, select

from console.tenants.models import utcnow
from console.demo import load_demo
from console.extensions import db
from console.partners.api import clean_rib
from console.partners.models import (
    AffiliationTransition, BankAccount, CguVersion, Partner, PartnerStatus, RibChangeRequest,
)
from console.partners.validators import check_pdf_upload
from console.tenants.context import EVERYTHING, scoped
from tests.audit.helpers import events


def test_demo_partners_data(app):
    accounts = dict(load_demo("Demo-pass-1"))
    # The second correspondents (who record RIB changes) are printed and sign in with the demo password.
    assert {"lyon-correspondant2", "gironde-correspondant2", "bretagne-correspondant2", "mel-correspondant2"} <= set(accounts)
    sm = app.appbuilder.sm
    assert sm.auth_user_db("lyon-correspondant2", "Demo-pass-1") is not None
    with scoped(EVERYTHING):
        statuses = set(db.session.scalars(select(Partner.status)))
        assert statuses == set(PartnerStatus)
        for partner in db.session.scalars(select(Partner)):
            steps = db.session.scalars(select(AffiliationTransition).where(
                AffiliationTransition.partner_id == partner.id).order_by(AffiliationTransition.at)).all()
            assert steps[0].to_status is PartnerStatus.submitted and steps[-1].to_status is partner.status
            assert steps[0].at == partner.submitted_at  # one event, one time on the partner's page
        for account in db.session.scalars(select(BankAccount)):
            clean_rib({"holder": account.holder, "iban": account.iban, "bic": account.bic})
            assert account.created_at <= utcnow()  # no RIB in force from a future date
            assert account.replaced_at is None or account.created_at < account.replaced_at <= utcnow()
        histories = db.session.scalar(select(func.count()).select_from(
            select(BankAccount.partner_id).group_by(BankAccount.partner_id).having(func.count() > 1).subquery()))
        assert histories > 10
        assert db.session.scalar(select(func.count(RibChangeRequest.id))) > 0
        assert len(events(action="lookup.search")) > 0
        cgu = db.session.scalars(select(CguVersion)).first()
        assert check_pdf_upload("cgu.pdf", cgu.document.content, 10**6) == "cgu.pdf"
