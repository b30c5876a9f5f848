"""What `make run` does, for real: `console init`, `console demo`, `console run`, then a French login page."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CONSOLE = str(Path(sys.executable).with_name("console"))
#: `console demo`, with the demo's first collectivité only: what is checked is the command (accounts printed,
#: a second run skipped), not the data, whose full load tests/money/test_demo.py checks; this saves a minute.
DEMO = [sys.executable, "-c", "import console.demo as demo; demo.COLLECTIVITES = demo.COLLECTIVITES[:1]; "
        "from console.cli import main; main()", "demo"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_console_commands_serve_the_french_login_page(tmp_path):
    env = {**os.environ, "CONSOLE_DATABASE_URL": f"sqlite:///{tmp_path}/console.db",
           "CONSOLE_SECRET_KEY": "test-secret", "CONSOLE_REDIS_URL": "", "CONSOLE_SMTP_URL": ""}
    subprocess.run([CONSOLE, "init"], env=env, check=True, capture_output=True, timeout=120)
    demo = subprocess.run([*DEMO, "--password", "demo-pw", "--if-empty"], env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    assert "lyon-correspondant" in demo.stdout and "operateur" in demo.stdout
    again = subprocess.run([*DEMO, "--password", "demo-pw", "--if-empty"], env=env, check=True,
                           capture_output=True, text=True, timeout=120)
    assert "skipped" in again.stdout  # make run twice keeps the data

    port = free_port()
    server = subprocess.Popen([CONSOLE, "run", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "the console did not start"
                time.sleep(0.3)
        assert "Mot de passe" in page and "Mot de passe oublié" in page
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_worker_sets_its_application_aside_from_the_cyclic_collector(tmp_path):
    """`console serve`'s workers freeze what the factory built: the collector's full passes skip it."""
    import gc

    from console.serve import worker_app

    gc.unfreeze()
    try:
        app = worker_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'console.db'}"})
        assert app.name == "console"
        assert gc.get_freeze_count() > 10_000  # the application's objects, not a handful
    finally:
        gc.unfreeze()  # this test process goes on building other applications
