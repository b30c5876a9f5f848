"""`console serve`: the production server, gunicorn running the application factory in each worker.

Each gunicorn worker builds its own application (no preloading): database
connections are never shared across a fork. Sizing is documented in the
README (« Production »).
"""
from __future__ import annotations

import gc
import os
from typing import Any

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """One worker per core: the console is CPU-bound (Python renders the pages), more only queue."""
    return max(2, os.cpu_count() or 1)


def worker_app(config: dict[str, Any] | None = None):
    """The application of one gunicorn worker, built in the worker, its lasting objects set aside.

    What the factory builds (Flask-AppBuilder's views and forms, SQLAlchemy's mappers, compiled templates:
    ~200,000 objects) lives as long as the worker. Left to Python's cyclic collector, every full pass walks
    them all in the middle of some request (~140 ms on this machine); frozen, the collector only walks what
    requests create. Measured in README « Benchmark: pages ».
    """
    from console import create_app

    app = create_app(config)
    set_aside_from_collector()
    return app


def set_aside_from_collector() -> None:
    """Move every object alive now out of the cyclic collector's reach (gc.freeze), after one last pass."""
    gc.collect()
    gc.freeze()


class ConsoleServer(BaseApplication):
    """gunicorn configured from `console serve`'s options instead of a configuration file."""

    def __init__(self, options: dict[str, Any], proxies: int = 0) -> None:
        self.options = options
        self.proxies = proxies
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        app = worker_app()
        if self.proxies:
            # Behind N reverse proxies: the client's address (rate limits, logs) and https come from their headers.
            from werkzeug.middleware.proxy_fix import ProxyFix

            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=self.proxies, x_proto=self.proxies, x_host=self.proxies,
                                    x_port=self.proxies)
        return app


def serve(*, bind: str, workers: int, threads: int, timeout: int, graceful_timeout: int, keepalive: int,
          access_log: str | None, proxies: int, max_requests: int) -> None:
    """Run gunicorn in the foreground until it is stopped (SIGTERM stops it gracefully)."""
    options: dict[str, Any] = {
        "bind": [bind], "workers": workers, "threads": threads, "timeout": timeout,
        "graceful_timeout": graceful_timeout, "keepalive": keepalive, "accesslog": access_log,
        "errorlog": "-", "preload_app": False, "proc_name": "console",
        # Recycle workers now and then (memory held by a big page is given back); jitter avoids all at once.
        "max_requests": max_requests, "max_requests_jitter": max_requests // 10,
        # gunicorn's control socket would be created under ~/.gunicorn; nothing here uses it.
        "control_socket_disable": True,
    }
    ConsoleServer(options, proxies).run()
