"""The home page shows each role its work and the way to its dashboard; anonymous visitors the sign-in link."""
import pytest

from tests.conftest import login


def test_anonymous_home_invites_to_sign_in(client):
    page = client.get("/").get_data(as_text=True)
    assert "Se connecter" in page


@pytest.mark.parametrize("role", ["correspondent", "support", "elected"])
def test_home_leads_to_the_dashboard(client, world, role):
    login(client, world.a.users[role])
    response = client.get("/")
    assert response.status_code == 200 and 'href="/dashboard/"' in response.get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 200
