"""Both logins and « Mot de passe oublié ? » are rate-limited per client address."""
from tests.conftest import _make_app


def test_api_and_web_logins_are_rate_limited(tmp_path):
    app = _make_app(f"sqlite:///{tmp_path}/c.db", str(tmp_path), RATELIMIT_ENABLED=True,
                    AUTH_RATE_LIMIT="3 per minute", WTF_CSRF_ENABLED=False)
    client = app.test_client()
    body = {"username": "nobody", "password": "wrong", "provider": "db"}
    api = [client.post("/api/v1/security/login", json=body).status_code for _ in range(4)]
    assert api == [401, 401, 401, 429]
    web = [client.post("/login/", data={"username": "nobody", "password": "wrong"}).status_code for _ in range(4)]
    assert web[:3] == [302, 302, 302] and web[3] == 429
    forgot = [client.post("/forgot-password/", data={"login": "nobody"}).status_code for _ in range(6)]
    assert forgot == [302] * 5 + [429]
