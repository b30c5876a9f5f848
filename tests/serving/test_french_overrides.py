"""Flask-AppBuilder's own wrong French is overridden by the console's catalogue."""
from __future__ import annotations

from tests.conftest import csrf_token, login


def test_the_login_button_signs_in_and_a_changed_password_is_announced_in_french(client, world):
    page = client.get("/login/").get_data(as_text=True)
    assert 'value="Se connecter"' in page and "S'enregistrer" not in page
    login(client, world.a.users["elected"])
    response = client.post("/resetmypassword/form", follow_redirects=True,
                           data={"password": "Nouveau-mot-de-passe-7", "conf_password": "Nouveau-mot-de-passe-7",
                                 "csrf_token": csrf_token(client, "/resetmypassword/form")})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Mot de passe modifié" in text and "Contraseña" not in text
