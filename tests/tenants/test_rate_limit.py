"""Both logins and « Mot de passe oublié ? » are rate-limited per client address."""
from console import create_app
from console.schema import init_database


def test_api_and_web_logins_are_rate_limited(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.db",
                      "RATELIMIT_ENABLED": True, "AUTH_RATE_LIMIT": "3 per minute", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        init_database()
    client = app.test_client()
    body = {"username": "nobody", "password": "wrong", "provider": "db"}
    api = [client.post("/api/v1/security/login", json=body).status_code for _ in range(4)]
    assert api == [401, 401, 401, 429]
    web = [client.post("/login/", data={"username": "nobody", "password": "wrong"}).status_code for _ in range(4)]
    assert web[:3] == [302, 302, 302] and web[3] == 429
    forgot = [client.post("/forgot-password/", data={"login": "nobody"}).status_code for _ in range(6)]
    assert forgot == [302] * 5 + [429]
