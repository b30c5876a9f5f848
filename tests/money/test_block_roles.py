"""Fraud blocks and the FAQ's roles: every role against every kind of block, through the partner's page.

FAQ: the operator « se réserve le droit de bloquer les remboursements … débloqués uniquement si l’absence
de fraude est avérée ». The operator blocks and lifts any block; a correspondent may block (an alert) and
lift only the block they set themselves; nobody of another collectivité even sees the partner.
"""
import html

from sqlalchemy import select

from console.config import ROLE_CORRESPONDENT
from console.extensions import db
from console.money import api as money_api
from console.money.models import PartnerBlock
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import csrf_token, make_user
from tests.money.test_server_dates import signed_in

WHY = "Pièces vérifiées sur place : aucune fraude constatée."
#: actor -> may they lift a block set by ... (the setter keys of SETTERS)
MATRIX = {
    "operator": {"operator": True, "author": True},
    "author": {"operator": False, "author": True},  # the correspondent who set the alert
    "colleague": {"operator": False, "author": False},  # another correspondent of the same collectivité
    "other": {"operator": 404, "author": 404},  # a correspondent of collectivité B
}


def active(partner_id: int) -> PartnerBlock | None:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.scalar(select(PartnerBlock).where(PartnerBlock.partner_id == partner_id,
                                                            PartnerBlock.unblocked_at.is_(None)))


def test_every_role_against_every_kind_of_block(app, money):
    with scoped(EVERYTHING):
        make_user("alpha-colleague", ROLE_CORRESPONDENT, money.world.a.collectivite)
    names = {"operator": money.world.operator, "author": money.world.a.users["correspondent"],
             "colleague": "alpha-colleague", "other": money.world.b.users["correspondent"]}
    browsers = {key: signed_in(app, name) for key, name in names.items()}
    page = f"/reimbursements/partner/{money.pa}"

    def post(who: str, action: str, data: dict):
        browser = browsers[who]
        token = csrf_token(browser, "/reimbursements/")
        return browser.post(f"{page}/{action}", data={**data, "csrf_token": token})

    for setter in ("operator", "author"):
        for actor, outcomes in MATRIX.items():
            assert post(setter, "block", {"reason": f"Alerte de {setter}"}).status_code == 302
            block = active(money.pa)
            assert block is not None and block.set_by_operator is (setter == "operator")
            response = post(actor, "unblock", {"justification": WHY})
            expected = outcomes[setter]
            case = (setter, actor)
            if expected == 404:
                assert response.status_code == 404, case
            still = active(money.pa)
            assert (still is None) is (expected is True), case
            if expected is True:
                with scoped(EVERYTHING):
                    lifted = db.session.get(PartnerBlock, block.id)
                    assert lifted.justification == WHY and lifted.unblocked_by.username == names[actor], case
            else:  # the refusal names the rule; the operator then clears the way for the next case
                if expected is False:
                    shown = html.unescape(browsers[actor].get(page).get_data(as_text=True))
                    assert ("seul l’opérateur peut le lever" if setter == "operator"
                            else "seuls cet utilisateur et l’opérateur") in shown, case
                with scoped(EVERYTHING):
                    money_api.unblock_partner(db.session, money.pa, WHY, None, by_operator=True)
                    db.session.commit()
    # Another collectivité's correspondent cannot block either; the history kept every block and its lifting.
    assert post("other", "block", {"reason": "x"}).status_code == 404 and active(money.pa) is None
    with scoped(EVERYTHING):
        history = db.session.scalars(select(PartnerBlock).where(PartnerBlock.partner_id == money.pa)).all()
    assert len(history) == 8 and all(b.justification == WHY for b in history)
