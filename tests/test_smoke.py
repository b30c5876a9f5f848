def test_login_page_in_french(client):
    page = client.get("/login/").get_data(as_text=True)
    assert "Mot de passe" in page


def test_login_works(client, world):
    from tests.conftest import login

    login(client, world.a.users["correspondent"])
    page = client.get("/partnerview/list/").get_data(as_text=True)
    assert "Partenaires" in page or "Partners" in page
