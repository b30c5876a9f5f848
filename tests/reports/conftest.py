"""Fixtures and helpers of the reports tests: the known dataset, asking for an export, opening its file."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from console import jobs
from console.extensions import db
from console.reports import aggregates
from console.reports.models import Export
from tests.conftest import csrf_token
from tests.reports import dataset


@pytest.fixture
def money(world):
    return dataset.load(world)


@pytest.fixture
def refreshed(money):
    """The known dataset with the dashboards' daily figures recomputed, as the periodic job does."""
    aggregates.refresh_all()
    return money


def ask(client: FlaskClient, kind: str, start: date = dataset.PERIOD[0], end: date = dataset.PERIOD[1],
        **fields: str):
    """POST the Exports form, as the browser does."""
    data = {"kind": kind, "period_start": start.isoformat(), "period_end": end.isoformat(),
            "csrf_token": csrf_token(client, "/exports/"), **fields}
    return client.post("/exports/new", data=data)


def wait() -> None:
    """Let the in-process runner finish every job."""
    jobs.runner().wait(timeout=60)


def exports() -> list[Export]:
    db.session.expire_all()
    return db.session.execute(select(Export).order_by(Export.id)).scalars().all()


def last_export() -> Export:
    return exports()[-1]


def export_and_open(client: FlaskClient, kind: str, **fields: str) -> openpyxl.Workbook:
    """Ask for an export, let it run in-process, download it and open it with openpyxl."""
    response = ask(client, kind, **fields)
    assert response.status_code == 302
    wait()
    export = last_export()
    assert export.status.value == "done", export.error
    with client.get(f"/exports/{export.id}/download") as download:
        assert download.status_code == 200
        return openpyxl.load_workbook(io.BytesIO(download.data))


def table(workbook: openpyxl.Workbook, title: str) -> tuple[list[str], list[dict]]:
    """(headers, rows as dicts) of a sheet written as a table."""
    rows = list(workbook[title].iter_rows(values_only=True))
    headers = list(rows[0])
    return headers, [dict(zip(headers, row)) for row in rows[1:]]
