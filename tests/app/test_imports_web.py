"""The imports pages: who may use them, CSRF, upload, preview, header mapping, start, status and history."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.imports.jobs import run_queued_imports
from app.models import Area, Customer, StaffUser, utcnow
from app.models.imports import HeaderMapping, ImportJob
from tests.conftest import signed_in

REGISTER = b"Tenancy Ref,First Name,area\r\nDH1,Ann,Derby\r\nDH2,<b>Bob</b>,Derby\r\n"


def upload(client: FlaskClient, kind: str, name: str, body: bytes, **extra: str) -> object:
    data = {"kind": kind, "file": (io.BytesIO(body), name), **extra}
    return client.post("/imports/", data=data, content_type="multipart/form-data")


def only_job() -> ImportJob:
    db.session.expire_all()
    job = db.session.scalar(select(ImportJob))
    assert job is not None
    return job


@pytest.fixture
def derby(app: Flask) -> None:
    db.session.add(Area(name="Derby", homes=100))
    db.session.commit()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/imports/"),
        ("post", "/imports/"),
        ("get", "/imports/history"),
        ("get", "/imports/{id}"),
        ("get", "/imports/{id}/status"),
        ("post", "/imports/{id}/mapping"),
        ("post", "/imports/{id}/start"),
    ],
)
def test_only_managers_and_admins_may_import(
    app: Flask, make_user: Callable[..., StaffUser], method: str, path: str
) -> None:
    manager = make_user("manager")
    job = ImportJob(kind="customers", filename="r.csv", content=REGISTER, created_by_id=manager.id)
    db.session.add(job)
    db.session.commit()
    url = path.format(id=job.id)
    clients = [
        (app.test_client(), {302, 303}),  # to sign in (303 answering a POST)
        (signed_in(app, make_user("staff")), {403}),
        (signed_in(app, make_user("admin")), {200, 303, 422}),
    ]
    for client, expected in clients:
        # Requests share the test's app context, so forget the user the last one loaded.
        g.pop("_login_user", None)
        if 200 in expected:  # before the admin's turn: the others moved nothing on
            assert only_job().status == "uploaded"
            assert db.session.scalar(select(func.count()).select_from(HeaderMapping)) == 0
        assert getattr(client, method)(url).status_code in expected


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_every_imports_form_needs_its_csrf_token(
    app: Flask, make_user: Callable[..., StaffUser], derby: None
) -> None:
    client = signed_in(app, make_user("manager"))
    assert upload(client, "customers", "r.csv", REGISTER).status_code == 400  # type: ignore[attr-defined]
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    job = ImportJob(kind="customers", filename="r.csv", content=REGISTER)
    db.session.add(job)
    db.session.commit()
    mapped = client.post(f"/imports/{job.id}/mapping", data={"header": "Tenancy Ref", "column": "ref"})
    started = client.post(f"/imports/{job.id}/start")
    assert (mapped.status_code, started.status_code) == (400, 400)
    assert db.session.scalar(select(func.count()).select_from(HeaderMapping)) == 0
    assert only_job().status == "uploaded"

    # With the token from the page, the same upload is taken.
    page = client.get("/imports/").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = upload(client, "customers", "r.csv", REGISTER, csrf_token=token)
    assert response.status_code == 303  # type: ignore[attr-defined]


def test_upload_preview_map_a_header_then_import(manager_client: FlaskClient, derby: None) -> None:
    response = upload(manager_client, "customers", "register.csv", REGISTER)
    job = only_job()
    assert response.headers["Location"] == f"/imports/{job.id}"  # type: ignore[attr-defined]
    page = manager_client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "This file cannot be imported as it is" in page
    assert "register.csv row 1: unknown column(s): tenancy_ref" in page
    assert "&lt;b&gt;Bob&lt;/b&gt;" in page and "<b>Bob" not in page  # the rows are escaped
    assert "Import the whole file" not in page

    mapped = manager_client.post(
        f"/imports/{job.id}/mapping", data={"header": "Tenancy Ref", "column": "ref"}
    )
    assert mapped.status_code == 303
    page = manager_client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "From now on the header tenancy_ref in customers files is read as ref." in page
    assert "(remembered)" in page and "Import the whole file" in page

    assert manager_client.post(f"/imports/{job.id}/start").status_code == 303
    assert manager_client.get(f"/imports/{job.id}/status").get_json() == {
        "status": "queued",
        "stage": "",
        "rows_done": 0,
        "rows_total": None,
        "finished": False,
    }
    page = manager_client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "import-progress.js" in page and "Waiting to start" in page

    run_queued_imports(utcnow())
    status = manager_client.get(f"/imports/{job.id}/status").get_json()
    assert (status["status"], status["finished"], status["rows_done"]) == ("done", True, 2)
    page = manager_client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "2 rows: 2 added, 0 updated, 0 unchanged." in page
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 2

    # Starting the same upload twice imports nothing twice.
    again = manager_client.post(f"/imports/{job.id}/start", follow_redirects=True)
    assert "already been imported" in again.get_data(as_text=True)


def test_a_bad_upload_is_refused_with_a_reason(manager_client: FlaskClient) -> None:
    cases = [
        ({"kind": "customers"}, "Choose a .csv or .xlsx file."),
        (
            {"kind": "customers", "file": (io.BytesIO(b"x"), "notes.docx")},
            "notes.docx is not a .csv or .xlsx",
        ),
        ({"kind": "customers", "file": (io.BytesIO(b""), "empty.csv")}, "empty.csv is empty."),
        ({"kind": "rockets", "file": (io.BytesIO(b"a\r\n"), "r.csv")}, "Choose what the file holds."),
    ]
    for data, message in cases:
        response = manager_client.post("/imports/", data=data, content_type="multipart/form-data")
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


@pytest.mark.parametrize("app_config", [{"UPLOAD_MAX_CONTENT_LENGTH": 1024}])
def test_an_upload_over_the_limit_is_refused(manager_client: FlaskClient) -> None:
    response = upload(manager_client, "customers", "big.csv", b"ref\r\n" + b"DH1\r\n" * 400)
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_a_failed_import_lists_every_problem_and_history_shows_both(
    manager_client: FlaskClient, derby: None
) -> None:
    bad = b"ref,first_name,area,email\r\nDH1,Ann,Leeds,ann@\r\nDH2,Bob,Derby,\r\n"
    upload(manager_client, "customers", "bad.csv", bad)
    job = only_job()
    manager_client.post(f"/imports/{job.id}/start")
    upload(manager_client, "areas", "areas.csv", b"area,homes\r\nDerby,150\r\n")
    second = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
    assert second is not None
    manager_client.post(f"/imports/{second.id}/start")
    run_queued_imports(utcnow())

    page = manager_client.get(f"/imports/{job.id}").get_data(as_text=True)
    assert "The file was not imported" in page and "Nothing was changed." in page
    assert "bad.csv row 2, area: &#34;Leeds&#34; is not on the landlord&#39;s list of areas" in page
    assert "bad.csv row 2, email: &#34;ann@&#34; is not an email address" in page
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0

    history = manager_client.get("/imports/history").get_data(as_text=True)
    assert "bad.csv" in history and "areas.csv" in history and "Not imported" in history
    assert "Imported" in history
    only_areas = manager_client.get("/imports/history?kind=areas").get_data(as_text=True)
    assert "areas.csv" in only_areas and "bad.csv" not in only_areas
    assert manager_client.get("/imports/history?kind=rockets").status_code == 404
