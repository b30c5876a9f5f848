"""Production hashes passwords with scrypt at Werkzeug's full cost.

The other tests run with a cheaper scrypt (``tests.conftest.TEST_HASH_METHOD``) for speed; this one puts
production's method back and follows a password from Flask-AppBuilder's user creation to a sign-in.
"""
from __future__ import annotations

from werkzeug.security import check_password_hash

from console.config import ROLE_OPERATOR, defaults
from tests.conftest import PASSWORD, TEST_HASH_METHOD, login, make_user

#: Werkzeug's ``scrypt`` default: N = 2**15, r = 8, p = 1.
PRODUCTION_PREFIX = "scrypt:32768:8:1$"


def test_production_hashes_with_full_cost_scrypt_and_the_hash_signs_in(app, client, monkeypatch):
    production = defaults(app.instance_path)["FAB_PASSWORD_HASH_METHOD"]
    assert production == "scrypt" and app.config["FAB_PASSWORD_HASH_METHOD"] == TEST_HASH_METHOD != production
    monkeypatch.setitem(app.config, "FAB_PASSWORD_HASH_METHOD", production)
    user = make_user("operateur", ROLE_OPERATOR, None)
    assert user.password.startswith(PRODUCTION_PREFIX), user.password.split("$")[0]
    assert check_password_hash(user.password, PASSWORD) and not check_password_hash(user.password, "autre")
    login(client, "operateur")
    assert client.get("/dashboard/").status_code == 200
