"""One scheduler whatever the number of processes: the scheduler lease in the database."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from console import jobs, leases
from console.extensions import db

NOW = datetime(2026, 3, 31, 23, 59, 0)


def test_one_holder_at_a_time_and_a_takeover_once_expired(app):
    first, second = leases.holder_name(), leases.holder_name()
    assert first != second
    assert leases.acquire(db.engine, "duty", first, 90, now=NOW)
    assert not leases.acquire(db.engine, "duty", second, 90, now=NOW)
    # Renewed by its holder; still refused to the other on the last second of the renewed lease.
    assert leases.acquire(db.engine, "duty", first, 90, now=NOW + timedelta(seconds=60))
    assert not leases.acquire(db.engine, "duty", second, 90, now=NOW + timedelta(seconds=150))
    # The holder died: once the lease has expired, the other takes it, and the first cannot come back.
    assert leases.acquire(db.engine, "duty", second, 90, now=NOW + timedelta(seconds=151))
    assert not leases.acquire(db.engine, "duty", first, 90, now=NOW + timedelta(seconds=152))
    # Another duty is another lease.
    assert leases.acquire(db.engine, "other duty", first, 90, now=NOW)
    leases.release(db.engine, "duty", second)
    assert leases.acquire(db.engine, "duty", first, 90, now=NOW + timedelta(seconds=153))


def test_of_two_running_schedulers_only_the_lease_holder_enqueues(app, monkeypatch):
    enqueued: list[str] = []
    monkeypatch.setattr(jobs, "PERIODIC", [(0.01, lambda: None)])
    monkeypatch.setattr(jobs, "enqueue", lambda func: enqueued.append(threading.current_thread().name))
    stop = threading.Event()
    # A tick of 0.2 s: the lease lasts three ticks, and a thread starved longer than that on a busy machine
    # would rightly lose it to the other one.
    schedulers = [threading.Thread(target=jobs.run_in_app, args=(app, jobs.run_periodic, stop, 0.2), name=name)
                  for name in ("scheduler-1", "scheduler-2")]
    for scheduler in schedulers:
        scheduler.start()
    # A second of both schedulers running, and at least five ticks enqueued (on a busy machine a second held fewer).
    time.sleep(1.0)
    deadline = time.monotonic() + 30
    while len(enqueued) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    for scheduler in schedulers:
        scheduler.join(timeout=10)
    assert len(enqueued) >= 5, enqueued
    assert len(set(enqueued)) == 1, f"both schedulers enqueued: {set(enqueued)}"
    # A clean stop gave the lease up.
    assert leases.acquire(db.engine, jobs.SCHEDULER_LEASE, leases.holder_name(), 90)
