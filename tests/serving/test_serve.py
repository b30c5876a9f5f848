"""`console serve`: gunicorn with several workers serves the French console and its health endpoints."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.serving.processes import answers, clean_env, free_port, http, start, stop, wait_until

CONSOLE = str(Path(sys.executable).with_name("console"))


def test_console_serve_runs_gunicorn_workers_that_answer_health_and_pages(tmp_path):
    env = clean_env(CONSOLE_DATABASE_URL=f"sqlite:///{tmp_path}/console.db", CONSOLE_SECRET_KEY="serve-test",
                    CONSOLE_EXPORT_DIR=str(tmp_path / "exports"), CONSOLE_SCHEDULER_TICK="0.5")
    subprocess.run([CONSOLE, "init"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    server = start([CONSOLE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2",
                    "--timeout", "30"], env, str(log))
    try:
        wait_until(lambda: answers(f"{base}/healthz"), 60, "console serve to answer")
        status, _, body = http(f"{base}/healthz")
        assert status == 200 and json.loads(body) == {"status": "alive"}
        status, headers, body = http(f"{base}/readyz")
        assert status == 200 and json.loads(body)["status"] == "ready", body
        status, _, page = http(f"{base}/login/")
        assert status == 200 and "Mot de passe oublié" in page.decode()
        output = log.read_text()
        assert output.count("Booting worker with pid") == 2, output
        # The request log: one JSON line per request on stderr, under the id returned to the client.
        lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
        [readyz] = [line for line in lines if line.get("request_id") == headers["X-Request-ID"]]
        assert (readyz["route"], readyz["status"], readyz["user_id"]) == ("/readyz", 200, None)
    finally:
        stop(server)
    assert server.returncode == 0
