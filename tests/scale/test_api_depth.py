"""The partner and collectivité APIs refuse a page beyond the rows lists page to, with a hint to filter,
as the web lists and the reimbursement API do (the cap lowered to 4 rows here)."""
from __future__ import annotations

import pytest

from console.views import lists
from console.extensions import db
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import api_token, make_collectivite, make_partner


@pytest.mark.parametrize("who, url", [("correspondent", "/api/v1/partner/"), ("operator", "/api/v1/collectivite/")])
def test_deep_api_pages_are_refused_with_a_hint_to_filter(client, world, monkeypatch, who, url):
    if who == "correspondent":
        for number in range(3):
            make_partner(world.a.collectivite, f"Structure {number}", number)
    else:  # A and B, and a third one
        with scoped(EVERYTHING):
            make_collectivite("gamma", "GAM", "200046977", "Métropole de Gamma")
            db.session.commit()
    monkeypatch.setattr(lists, "MAX_ROWS", 4)
    username = world.a.users["correspondent"] if who == "correspondent" else world.operator
    headers = api_token(client, username)
    first = client.get(f"{url}?q=(page:1,page_size:2)", headers=headers)
    assert first.status_code == 200 and len(first.json["result"]) == 1  # rows 3 and 4: the last row served
    for page, page_size in ((2, 2), (4, 1), (1, 4)):  # pages starting at the 5th row
        deep = client.get(f"{url}?q=(page:{page},page_size:{page_size})&_l_=en", headers=headers)
        assert deep.status_code == 400
        assert deep.json["message"] == "Only the first 4 rows can be paged through: narrow the list with a filter."
    french = client.get(f"{url}?q=(page:2,page_size:2)", headers=headers).json["message"]
    assert french.startswith("Seules les 4 premières lignes peuvent être parcourues")
