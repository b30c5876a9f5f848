"""The partner extranet reads the CGU through the API: only the caller's collectivité's versions."""
from datetime import date, timedelta

import pytest

from tests.conftest import api_token
from tests.partners.helpers import PDF
from tests.partners.test_cgu import publish

TODAY = date.today()


@pytest.fixture
def versions(world):
    return {
        "old": publish("2024-1", TODAY - timedelta(days=400)),
        "current": publish("2026-1", TODAY - timedelta(days=10)),
        "future": publish("2027-1", TODAY + timedelta(days=30)),
        "beta": publish("B-1", TODAY - timedelta(days=5), username="beta-correspondent"),
    }


@pytest.mark.parametrize("role", ["correspondent", "support", "elected"])
def test_versions_of_the_own_collectivite_with_the_one_in_force(client, world, versions, role):
    headers = api_token(client, world.a.users[role])
    result = client.get("/api/v1/cgu/", headers=headers).json["result"]
    assert [v["id"] for v in result] == [versions["future"], versions["current"], versions["old"]]
    assert [v["label"] for v in result if v["in_force"]] == ["2026-1"]
    past = client.get(f"/api/v1/cgu/?on={(TODAY - timedelta(days=100)).isoformat()}", headers=headers).json
    assert [v["label"] for v in past["result"] if v["in_force"]] == ["2024-1"]
    for bad in ("2026-02-30", "31/02/2026", "demain"):
        assert client.get(f"/api/v1/cgu/?on={bad}", headers=headers).status_code == 400, bad


def test_download_own_pdf_not_the_other_collectivites(client, world, versions):
    headers = api_token(client, world.a.users["elected"])
    response = client.get(f"/api/v1/cgu/{versions['current']}/download", headers=headers)
    assert response.status_code == 200 and response.data == PDF and response.mimetype == "application/pdf"
    assert client.get(f"/api/v1/cgu/{versions['beta']}/download", headers=headers).status_code == 404
    assert client.get(f"/api/v1/cgu/{versions['current']}/download").status_code == 401


def test_the_contract_is_in_the_openapi_spec(client, world):
    headers = api_token(client, world.operator)
    paths = client.get("/api/v1/_openapi", headers=headers).json["paths"]
    assert "/api/v1/cgu/" in paths and "/api/v1/cgu/{pk}/download" in paths
