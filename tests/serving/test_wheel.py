"""French in every install: a wheel built from the sources carries the compiled catalogues.

The wheel is built in a temporary folder from a copy of the sources without
any compiled catalogue, installed into a fresh virtual environment (the
dependencies come from the development environment through a .pth file, so
nothing is downloaded; the console package itself comes from the wheel only),
then served by `console serve` (gunicorn, two workers): its login page and its API errors are French.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from tests.serving.processes import answers, clean_env, free_port, http, post_json, start, stop, wait_until

PROJECT = Path(__file__).resolve().parents[2]
SOURCES = ("console", "translations", "scripts", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
CATALOGUE = "console/catalogues/fr/LC_MESSAGES/messages.mo"


def build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    for name in SOURCES:
        if (PROJECT / name).is_dir():
            shutil.copytree(PROJECT / name, source / name,
                            ignore=shutil.ignore_patterns("catalogues", "__pycache__", "*.mo"))
        else:
            shutil.copy2(PROJECT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(tmp_path / "dist"), str(source)], check=True, capture_output=True, timeout=180)
    [wheel] = (tmp_path / "dist").glob("console_pass_numerique-*.whl")
    return wheel


def install(wheel: Path, tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "-q", str(wheel)], check=True, capture_output=True, timeout=180)
    # Only then the dependencies: the development environment's site-packages, whose own .pth files
    # (the editable console among them) are not processed since it is not a site directory here.
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "development-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_a_wheel_built_from_the_sources_serves_the_console_in_french(tmp_path):
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        assert CATALOGUE in archive.namelist(), "the wheel has no compiled French catalogue"
    venv = install(wheel, tmp_path)
    # Signed in with a password only: the second factor has its own tests (tests/accounts).
    env = clean_env(CONSOLE_TOTP_ROLES="",
                    CONSOLE_DATABASE_URL=f"sqlite:///{tmp_path}/console.db", CONSOLE_SECRET_KEY="wheel-test",
                    CONSOLE_EXPORT_DIR=str(tmp_path / "exports"))
    origin = subprocess.run([str(venv / "bin" / "python"), "-c", "import console; print(console.__file__)"],
                            env=env, cwd=tmp_path, check=True, capture_output=True, text=True).stdout
    assert origin.startswith(str(venv)), f"the console was imported from {origin}, not from the wheel"

    console = str(venv / "bin" / "console")
    subprocess.run([console, "init"], env=env, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    subprocess.run([console, "fab", "create-admin", "--username", "operateur", "--firstname", "Ada",
                    "--lastname", "Opératrice", "--email", "ada@operateur.fr", "--password", "Mot-de-passe-12"],
                   env=env, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    server = start([console, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"], env,
                   str(log), cwd=str(tmp_path))
    try:
        wait_until(lambda: answers(f"{base}/healthz"), 60, "console serve to answer")
        status, _, body = http(f"{base}/readyz")
        assert status == 200 and json.loads(body)["checks"] == {"database": "ok", "redis": "not configured",
                                                                 "exports": "ok"}
        status, headers, page = http(f"{base}/login/")
        page = page.decode()
        assert status == 200 and "Mot de passe oublié" in page and 'value="Se connecter"' in page
        assert "S'enregistrer" not in page

        status, token = post_json(f"{base}/api/v1/security/login",
                                  {"username": "operateur", "password": "Mot-de-passe-12", "provider": "db"})
        assert status == 200, token
        status, answer = post_json(f"{base}/api/v1/affiliation/", {"collectivite": "XYZ", "name": "Médiathèque"},
                                   {"Authorization": f"Bearer {token['access_token']}"})
        assert status == 422, answer
        assert answer["errors"]["collectivite"]["fr"] == "Aucune collectivité n’a le code XYZ."
    finally:
        stop(server)
    output = log.read_text()
    assert server.returncode == 0 and output.count("Booting worker with pid") == 2, output
    # The request log: one JSON line per request on stderr, under the id returned to the client.
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    [login_page] = [line for line in lines if line.get("request_id") == headers["X-Request-ID"]]
    assert (login_page["route"], login_page["status"], login_page["user_id"]) == ("/login/", 200, None)
