"""CGU versions: real PDFs only, size limit, safe names, linked to the partners who applied, never changed."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from console.errors import DomainError
from console.extensions import db
from console.partners import api as partners_api
from console.partners.models import CguVersion, StoredDocument
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import api_token, csrf_token, login
from tests.partners.helpers import PDF, acting_as

TODAY = date.today()


def publish(label: str, effective_on: date, data: bytes = PDF, filename: str = "cgu.pdf",
            username: str = "alpha-correspondent") -> int:
    with acting_as(username) as actor:
        return partners_api.publish_cgu(db.session, label, effective_on, filename, data, actor).id


def stored() -> tuple[int, int]:
    with scoped(EVERYTHING):
        return (db.session.scalar(select(func.count(CguVersion.id))),
                db.session.scalar(select(func.count(StoredDocument.id))))


@pytest.mark.parametrize("data, filename", [
    (b"MZ\x90\x00\x03" + b"\x00" * 100, "cgu.pdf"),  # a renamed .exe
    (b"<html><body>CGU</body></html>", "cgu.pdf"),  # a renamed .html
    (b"%PDF-1.4 truncated", "cgu.pdf"),  # no %%EOF trailer
    (PDF + b"x" * (partners_api.DOCUMENT_MAX_BYTES), "cgu.pdf"),  # too big
])
def test_uploads_that_are_not_real_pdfs_within_the_limit_store_nothing(world, data, filename):
    with pytest.raises(DomainError) as refused:
        publish("2026-1", TODAY, data, filename)
    assert set(refused.value.errors) == {"file"}
    assert stored() == (0, 0)


def test_a_label_is_used_once_and_the_name_is_made_safe(world):
    publish("2026-1", TODAY, filename="../../etc/Conditions générales.pdf")
    with scoped(EVERYTHING):
        assert db.session.scalar(select(StoredDocument.filename)) == "Conditions_generales.pdf"
    with pytest.raises(DomainError) as refused:
        publish("2026-1", TODAY + timedelta(days=1))
    assert set(refused.value.errors) == {"label"}


def test_only_correspondents_publish(world):
    for username in ("alpha-support", "operateur"):
        with pytest.raises(DomainError):
            publish("x", TODAY, username=username)
    assert stored() == (0, 0)


def test_the_version_in_force_is_linked_to_the_applicant(client, world):
    publish("2025-1", TODAY - timedelta(days=400))
    current = publish("2026-1", TODAY - timedelta(days=2))
    publish("2027-1", TODAY + timedelta(days=30))
    headers = api_token(client, world.a.users["correspondent"])
    body = {"name": "Fablab", "siret": "44306184100047", "email": "fab@lab.fr", "address": "1 rue Haute",
            "postcode": "69001", "city": "Lyon"}
    response = client.post("/api/v1/affiliation/", json=body, headers=headers)
    assert response.json["cgu_version"] == "2026-1"
    with scoped(EVERYTHING):
        from console.partners.models import Partner

        assert db.session.get(Partner, response.json["id"]).cgu_version_id == current


def test_the_page_publishes_lists_and_downloads_but_never_edits(client, world):
    login(client, "alpha-correspondent")
    token = csrf_token(client, "/cguversionview/publish")
    response = client.post("/cguversionview/publish", content_type="multipart/form-data", data={
        "csrf_token": token, "label": "2026-1", "effective_on": TODAY.isoformat(),
        "file": (io.BytesIO(PDF), "cgu.pdf")})
    assert response.status_code == 302
    with scoped(EVERYTHING):
        pk = db.session.scalar(select(CguVersion.id))
    assert "2026-1" in client.get("/cguversionview/list/").get_data(as_text=True)
    download = client.get(f"/cguversionview/download/{pk}")
    assert download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert "default-src 'none'" in download.headers["Content-Security-Policy"]
    for url in (f"/cguversionview/edit/{pk}", f"/cguversionview/delete/{pk}", "/cguversionview/add"):
        assert client.get(url).status_code in (302, 403, 404), url
    refused = client.post("/cguversionview/publish", content_type="multipart/form-data", data={
        "csrf_token": token, "label": "2026-2", "effective_on": TODAY.isoformat(),
        "file": (io.BytesIO(b"<html></html>"), "cgu.pdf")})
    assert "PDF" in refused.get_data(as_text=True) and stored() == (1, 1)
    polyglot = b"%PDF-<html><script>alert(1)</script></html>\n%%EOF"  # 49 bytes, PDF and HTML page at once
    refused = client.post("/cguversionview/publish", content_type="multipart/form-data", data={
        "csrf_token": token, "label": "2026-3", "effective_on": TODAY.isoformat(),
        "file": (io.BytesIO(polyglot), "cgu.pdf")})
    assert refused.status_code == 200 and stored() == (1, 1)
