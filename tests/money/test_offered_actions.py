"""Only what works is offered: no « Valider » on a blocked partner's request, no edit button on a used fee
version, a profile page for every role, menus without pages the role cannot open."""
from datetime import date, timedelta

import pytest

from console.extensions import db
from console.money.models import FeeSchedule
from console.tenants.context import EVERYTHING, scoped
from tests.money.helpers import schedule
from tests.money.test_views import client_of, post, requests  # noqa: F401  (the fixture)

TODAY = date.today()


def test_validate_is_disabled_with_its_reason_while_the_partner_is_blocked(app, money, requests):  # noqa: F811
    a = requests["a"]
    client = client_of(app, money.world.a.users["correspondent"])
    validate = f'action="/reimbursements/{a["submitted"]}/validate"'
    assert validate in client.get(f"/reimbursements/{a['submitted']}").get_data(as_text=True)
    assert post(client, f"/reimbursements/partner/{a['partner']}/block", {"reason": "Série suspecte"}).status_code == 302
    page = client.get(f"/reimbursements/{a['submitted']}").get_data(as_text=True)
    assert validate not in page
    assert 'disabled aria-describedby="validate-refused"' in page
    assert "sont bloqués pour suspicion de fraude depuis le" in page
    blocks = client.get(f"/reimbursements/partner/{a['partner']}").get_data(as_text=True)
    assert "<td>Alpha Test <span" in blocks and money.world.a.users["correspondent"] not in blocks  # by name


def test_no_edit_button_on_a_fee_version_already_used(app, money, requests):  # noqa: F811
    unused = schedule(money.world.a.id, TODAY + timedelta(days=60))
    with scoped(EVERYTHING):
        used = db.session.query(FeeSchedule.id).filter(FeeSchedule.collectivite_id == money.world.a.id,
                                                       FeeSchedule.id != unused).scalar()
    page = client_of(app, money.world.a.users["correspondent"]).get("/feescheduleview/list/").get_data(as_text=True)
    assert f"/feescheduleview/edit/{unused}" in page
    assert f"/feescheduleview/edit/{used}" not in page and f"/feescheduleview/show/{used}" in page


@pytest.mark.parametrize("role", ["correspondent", "support", "elected"])
def test_every_role_opens_its_profile_and_sees_only_reachable_menus(app, world, role):
    client = client_of(app, world.a.users[role])
    page = client.get("/profile/").get_data(as_text=True)
    assert f"{world.a.users[role]}@test.example.fr" in page and "Changer mon mot de passe" in page
    assert client.get("/resetmypassword/form").status_code == 200
    home = client.get("/dashboard/").get_data(as_text=True)
    assert "/profile/" in home
    assert ("/collectiviteview/list/" in home) is (role == "correspondent")
