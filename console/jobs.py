"""Background jobs: rq workers when CONSOLE_REDIS_URL is set, an in-process thread pool otherwise.

Job functions are importable, take ids (never ORM objects nor the current
user) and run inside an application context with the scope they set
themselves; both runners call the very same functions.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from flask import Flask, current_app

log = logging.getLogger(__name__)
QUEUE_NAME = "console"
# Progress records of running jobs, readable by every web process (Redis) or by this one (in-process).
PROGRESS_KEY = "console:progress:"
PROGRESS_TTL = 86400
#: (every so many seconds, job function without arguments): enqueued by `console scheduler` with Redis,
#: by a thread of the web process without; only the process holding the scheduler lease enqueues them.
#: The functions stay idempotent: a lease taken over after an expiry may run one twice.
PERIODIC: list[tuple[float | Callable[[], float], Callable[[], Any]]] = []
SCHEDULER_TICK = 30.0  # seconds; CONSOLE_SCHEDULER_TICK
SCHEDULER_LEASE = "scheduler"


def run_logged(func: Callable, request_id: str | None, *args: Any, **kwargs: Any) -> Any:
    """Run a job function and log one JSON line about it: which job, for which request, outcome, duration."""
    from console.logging import jobs_log, log_fields

    job_id = kwargs.pop("_job_id", None)
    if job_id is None:
        from rq import get_current_job

        current = get_current_job()
        job_id = current.id if current else None
    started, status = time.perf_counter(), "failed"
    try:
        result = func(*args, **kwargs)
        status = "done"
        return result
    finally:
        # Job functions take ids: the arguments are logged only when they are plain numbers.
        log_fields(jobs_log, "job", job=f"{func.__module__}.{func.__qualname__}", job_id=job_id,
                   request_id=request_id, args=list(args) if all(isinstance(a, int) for a in args) else None,
                   status=status, duration_ms=round((time.perf_counter() - started) * 1000, 1))


def asking_request_id() -> str | None:
    """The id of the request that enqueues a job (None from the scheduler or the command line)."""
    from flask import has_request_context

    from console.request_id import request_id

    return request_id() if has_request_context() else None


def run_in_app(app: Flask, func: Callable, *args: Any, **kwargs: Any) -> Any:
    """Run a job function in an application context, with a fresh database session."""
    from console.extensions import db

    with app.app_context():
        try:
            return func(*args, **kwargs)
        finally:
            db.session.remove()


class InProcessRunner:
    """The embedded default: jobs run in threads of the web process, without Redis."""

    def __init__(self, app: Flask, workers: int = 2) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="console-job")
        self.futures: dict[str, Any] = {}
        self.records: dict[str, tuple[int, int | None]] = {}
        self.lock = threading.Lock()
        self.scheduler: threading.Thread | None = None

    def enqueue(self, func: Callable, *args: Any, **kwargs: Any) -> str:
        job_id = str(uuid.uuid4())
        future = self.pool.submit(run_in_app, self.app, run_logged, func, asking_request_id(), *args,
                                  _job_id=job_id, **kwargs)
        future.add_done_callback(self._log_failure)
        self.futures[job_id] = future
        return job_id

    @staticmethod
    def _log_failure(future: Any) -> None:
        if future.exception() is not None:
            log.error("Background job failed", exc_info=future.exception())

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every job submitted so far (tests, and the CLI before it exits)."""
        for future in list(self.futures.values()):
            future.exception(timeout=timeout)

    def start_scheduler(self) -> None:
        """Run the periodic jobs while this process runs (the embedded default); idempotent."""
        with self.lock:
            if self.scheduler is not None:
                return
            self.scheduler = threading.Thread(target=run_in_app, args=(self.app, run_periodic, threading.Event()),
                                              name="console-scheduler", daemon=True)
        self.scheduler.start()

    def set_progress(self, key: str, done: int, total: int | None) -> None:
        with self.lock:
            self.records[key] = (done, total)

    def get_progress(self, key: str) -> tuple[int, int | None] | None:
        with self.lock:
            return self.records.get(key)


class RqRunner:
    """Production: jobs go to a Redis queue served by `console worker` processes."""

    def __init__(self, redis_url: str) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(QUEUE_NAME, connection=self.connection)

    def enqueue(self, func: Callable, *args: Any, **kwargs: Any) -> str:
        from rq import Retry

        job = self.queue.enqueue(
            run_logged, args=(func, asking_request_id(), *args), kwargs=kwargs, job_timeout=3600, result_ttl=86400,
            retry=Retry(max=2),
        )
        return job.id

    def set_progress(self, key: str, done: int, total: int | None) -> None:
        name = PROGRESS_KEY + key
        self.connection.hset(name, mapping={"done": done, "total": -1 if total is None else total})
        self.connection.expire(name, PROGRESS_TTL)

    def get_progress(self, key: str) -> tuple[int, int | None] | None:
        record = self.connection.hgetall(PROGRESS_KEY + key)
        if not record:
            return None
        total = int(record[b"total"])
        return int(record[b"done"]), None if total < 0 else total


def init_app(app: Flask) -> None:
    url = app.config.get("CONSOLE_REDIS_URL")
    app.extensions["console_jobs"] = RqRunner(url) if url else InProcessRunner(app)
    if not url and not app.testing:

        @app.before_request
        def _start_scheduler() -> None:
            # Started by the first request, so that CLI commands never start it.
            app.extensions["console_jobs"].start_scheduler()


def runner() -> InProcessRunner | RqRunner:
    return current_app.extensions["console_jobs"]


def enqueue(func: Callable, *args: Any, **kwargs: Any) -> str:
    """Run ``func(*args, **kwargs)`` in the background; returns the job id."""
    return runner().enqueue(func, *args, **kwargs)


def set_progress(key: str, done: int, total: int | None = None) -> None:
    """Record how far a job is (e.g. rows written out of rows to write), for the pages that poll it."""
    runner().set_progress(key, done, total)


def get_progress(key: str) -> tuple[int, int | None] | None:
    """(done, total) last recorded under ``key``, or None."""
    return runner().get_progress(key)


def setting(name: str, default: float) -> float:
    """A number from the configuration, else the environment (CONSOLE_*), else ``default``."""
    value = current_app.config.get(name) or os.environ.get(name)
    return float(value) if value else default


def periodic(seconds: float | Callable[[], float]) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register a job function to be enqueued every ``seconds`` (a number, or a function of the configuration)."""

    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        PERIODIC.append((seconds, func))
        return func

    return register


def run_periodic(stop: threading.Event, tick: float | None = None) -> None:
    """Enqueue each periodic job when due, until ``stop`` is set (in an application context).

    Every web process (embedded default) and every `console scheduler` runs this
    loop, but only the holder of the scheduler lease enqueues: one scheduler
    works whatever the number of processes, and another takes over within a few
    ticks when it dies.
    """
    from console import leases
    from console.extensions import db

    tick = tick or setting("CONSOLE_SCHEDULER_TICK", SCHEDULER_TICK)
    holder = leases.holder_name()
    due = {func: 0.0 for _, func in PERIODIC}
    try:
        while not stop.is_set():
            try:
                leading = leases.acquire(db.engine, SCHEDULER_LEASE, holder, seconds=3 * tick)
            except Exception:  # noqa: BLE001 - the database may come back; the loop must outlive it
                log.exception("Could not take the scheduler lease")
                leading = False
            if leading:
                for every, func in PERIODIC:
                    if time.monotonic() >= due[func]:
                        try:
                            enqueue(func)
                        except Exception:  # noqa: BLE001 - a scheduler that dies silently stops every job
                            log.exception("Could not enqueue %s", func.__name__)
                        due[func] = time.monotonic() + (every() if callable(every) else every)
            stop.wait(tick)
    finally:
        try:
            leases.release(db.engine, SCHEDULER_LEASE, holder)
        except Exception:  # noqa: BLE001 - the lease expires by itself
            log.warning("Could not release the scheduler lease", exc_info=True)
