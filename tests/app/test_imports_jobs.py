"""Background imports: header names remembered per kind, and a job's life from upload to done or failed."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from app.extensions import db
from app.imports import jobs
from app.imports.jobs import JobError, claim, count_rows, create_job, run_job, run_queued_imports, start_job
from app.imports.mappings import MappingError, save_mapping, saved_headers
from app.imports.preview import preview_file
from app.imports.result import ImportRejected
from app.imports.service import KINDS, import_binary
from app.models import Area, AuditEvent, Customer, StaffUser
from app.models.imports import HeaderMapping, ImportJob

NOW = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)
CUSTOMER_COLUMNS = KINDS["customers"].columns.all
REGISTER = b"Tenancy Ref,first_name,area\r\nDH1,Ann,Derby\r\nDH2,Bob,Derby\r\n"


@pytest.fixture
def manager(app: Flask) -> StaffUser:
    user = StaffUser(email="manager@example.org", role="manager", name="Manager")
    user.set_password("correct horse battery")
    db.session.add_all([user, Area(name="Derby", homes=100)])
    db.session.commit()
    return user


def customers() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(c.ref, c.first_name) for c in db.session.scalars(select(Customer).order_by(Customer.ref))]


def test_a_mapping_is_remembered_per_kind_and_read_by_the_service(app: Flask, manager: StaffUser) -> None:
    with pytest.raises(ImportRejected) as refused:
        import_binary("customers", "r.csv", io.BytesIO(REGISTER), now=NOW)
    assert "unknown column(s): tenancy_ref" in refused.value.errors[0]
    db.session.rollback()

    key = save_mapping("customers", "Tenancy Ref", "ref", columns=CUSTOMER_COLUMNS, actor=manager, now=NOW)
    db.session.commit()
    assert key == "tenancy_ref"
    assert saved_headers("customers") == {"tenancy_ref": "ref"}
    assert saved_headers("participation") == {}  # only for the kind it was taught on

    result = import_binary("customers", "r.csv", io.BytesIO(REGISTER), now=NOW)
    db.session.commit()
    assert (result.added, customers()) == (2, [("DH1", "Ann"), ("DH2", "Bob")])
    audited = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.mapping"))
    assert audited is not None and audited.actor_email == manager.email

    # Taught again, the mapping changes; taught blank, it is forgotten.
    save_mapping("customers", "tenancy-ref", "first_name", columns=CUSTOMER_COLUMNS, actor=manager, now=NOW)
    assert saved_headers("customers") == {"tenancy_ref": "first_name"}
    save_mapping("customers", "TENANCY REF", "", columns=CUSTOMER_COLUMNS, actor=manager, now=NOW)
    assert saved_headers("customers") == {}
    assert db.session.scalar(select(func.count()).select_from(HeaderMapping)) == 0


def test_the_command_reads_remembered_headers_too(
    app: Flask, manager: StaffUser, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    save_mapping("customers", "Tenancy Ref", "ref", columns=CUSTOMER_COLUMNS, actor=manager, now=NOW)
    db.session.commit()
    path = tmp_path / "register.csv"
    path.write_bytes(REGISTER)
    out = runner.invoke(args=["import", "customers", str(path)])
    assert out.exit_code == 0, out.output
    assert "2 added" in out.output


@pytest.mark.parametrize(
    ("header", "column", "message"),
    [
        ("ref", "first_name", "already one of the columns"),
        ("Tenancy Ref", "landlord", "not a column of customers files"),
        ("  ", "ref", "blank header"),
    ],
)
def test_a_mapping_that_makes_no_sense_is_refused(
    app: Flask, manager: StaffUser, header: str, column: str, message: str
) -> None:
    with pytest.raises(MappingError, match=message):
        save_mapping("customers", header, column, columns=CUSTOMER_COLUMNS, actor=manager, now=NOW)


def test_the_preview_says_how_each_column_was_read(app: Flask, manager: StaffUser) -> None:
    body = b"Tenancy Ref,First Name,Shoe size,area\r\nDH1,Ann,9,Derby\r\n"
    preview = preview_file("customers", "r.csv", io.BytesIO(body), {})
    assert [(c.header, c.column, c.how) for c in preview.columns] == [
        ("Tenancy Ref", None, "unknown"),
        ("First Name", "first_name", "matched"),
        ("Shoe size", None, "unknown"),
        ("area", "area", "matched"),
    ]
    assert preview.missing == ["ref"]
    assert not preview.ready
    assert any("unknown column(s): tenancy_ref, shoe_size" in p for p in preview.problems)
    assert preview.rows == [["DH1", "Ann", "9", "Derby"]]

    mapped = preview_file(
        "customers", "r.csv", io.BytesIO(body), {"tenancy_ref": "ref", "shoe_size": "phone"}
    )
    assert [c.how for c in mapped.columns] == ["remembered", "matched", "remembered", "matched"]
    assert mapped.ready and mapped.missing == []


def test_a_job_goes_from_uploaded_to_queued_to_running_to_done(app: Flask, manager: StaffUser) -> None:
    save_mapping("customers", "Tenancy Ref", "ref", columns=CUSTOMER_COLUMNS, actor=manager, now=NOW)
    job = create_job("customers", "register.csv", REGISTER, actor=manager, now=NOW)
    db.session.commit()
    assert (job.status, customers()) == ("uploaded", [])
    assert run_queued_imports(NOW) == 0  # an upload waits for its preview to be accepted

    start_job(job, actor=manager, now=NOW)
    db.session.commit()
    assert (job.status, job.headers) == ("queued", {"tenancy_ref": "ref"})
    with pytest.raises(JobError):
        start_job(job, actor=manager, now=NOW)  # twice is refused
    db.session.rollback()

    assert claim(job.id, NOW) is True
    assert claim(job.id, NOW) is False  # a second clock does not take it again
    assert run_job(job.id, now=NOW) == "done"
    db.session.expire_all()
    job = db.session.get(ImportJob, job.id)
    assert job is not None
    assert (job.status, job.rows, job.added, job.updated, job.unchanged) == ("done", 2, 2, 0, 0)
    assert job.content is None  # the file is not kept once imported
    assert customers() == [("DH1", "Ann"), ("DH2", "Bob")]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"import.start", "import", "import.mapping"} <= actions


def test_the_sweeper_runs_queued_jobs_and_a_bad_file_fails_writing_nothing(
    app: Flask, manager: StaffUser
) -> None:
    bad = b"ref,first_name,area,sms_consent\r\nDH1,Ann,Derby,yes\r\nDH2,Bob,Leeds,perhaps\r\n"
    good = b"ref,first_name\r\nDH9,Cat\r\n"
    first = create_job("customers", "bad.csv", bad, actor=manager, now=NOW)
    second = create_job("customers", "good.csv", good, actor=manager, now=NOW)
    for job in (first, second):
        start_job(job, actor=manager, now=NOW)
    db.session.commit()

    assert run_queued_imports(NOW) == 2
    db.session.expire_all()
    failed, done = db.session.get(ImportJob, first.id), db.session.get(ImportJob, second.id)
    assert failed is not None and done is not None
    assert (failed.status, failed.error_total) == ("failed", 2)
    assert failed.errors == [
        'bad.csv row 3, area: "Leeds" is not on the landlord\'s list of areas; use one of: Derby',
        'bad.csv row 3, sms_consent: "perhaps" is not yes or no',
    ]
    assert done.status == "done"
    assert customers() == [("DH9", "Cat")]  # nothing of the bad file
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "import.failed")) == {
        "file": "bad.csv",
        "problems": 2,
        "reason": "rejected",
    }


def test_a_crash_inside_the_import_marks_the_job_failed_and_writes_nothing(
    app: Flask, manager: StaffUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = create_job("customers", "r.csv", b"ref,first_name\r\nDH1,Ann\r\n", actor=manager, now=NOW)
    start_job(job, actor=manager, now=NOW)
    db.session.commit()
    real = jobs.import_binary

    def crash(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        db.session.flush()
        raise MemoryError("out of memory")

    monkeypatch.setattr(jobs, "import_binary", crash)
    assert run_queued_imports(NOW) == 1
    db.session.expire_all()
    failed = db.session.get(ImportJob, job.id)
    assert failed is not None and failed.status == "failed"
    assert "unexpected error (MemoryError)" in failed.errors[0]
    assert customers() == []


def test_a_job_whose_process_died_is_marked_failed_by_the_next_sweep(app: Flask, manager: StaffUser) -> None:
    job = create_job("customers", "r.csv", REGISTER, actor=manager, now=NOW)
    start_job(job, actor=manager, now=NOW)
    db.session.commit()
    assert claim(job.id, NOW)  # taken, then the process is gone: nothing more is written
    assert run_queued_imports(NOW + timedelta(minutes=5)) == 0
    assert db.session.get(ImportJob, job.id).status == "running"  # type: ignore[union-attr]
    assert run_queued_imports(NOW + timedelta(minutes=jobs.DEFAULT_STALE_MINUTES + 1)) == 1
    db.session.expire_all()
    stopped = db.session.get(ImportJob, job.id)
    assert stopped is not None and stopped.status == "failed"
    assert "stopped without finishing" in stopped.errors[0]


def test_progress_is_written_as_rows_are_read(
    app: Flask, manager: StaffUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.imports.reader.PROGRESS_EVERY", 2)
    monkeypatch.setattr(jobs, "WRITE_EVERY_SECONDS", 0.0)
    lines = [f"DH{n},Name{n}" for n in range(7)]
    body = ("ref,first_name\r\n" + "\r\n".join(lines) + "\r\n").encode()
    assert count_rows("r.csv", body) == 7
    job = create_job("customers", "r.csv", body, actor=manager, now=NOW)
    start_job(job, actor=manager, now=NOW)
    db.session.commit()
    seen: list[tuple[str, int, int | None]] = []
    real = jobs.JobProgress.count

    def spy(self: jobs.JobProgress, stage: str, done: int, total: int | None) -> None:
        real(self, stage, done, total)
        with db.engine.connect() as other:  # what another process sees meanwhile
            row = other.execute(
                select(ImportJob.stage, ImportJob.rows_done, ImportJob.rows_total).where(
                    ImportJob.id == job.id
                )
            ).one()
        seen.append(tuple(row))  # type: ignore[arg-type]

    monkeypatch.setattr(jobs.JobProgress, "count", spy)
    assert run_queued_imports(NOW) == 1
    assert seen[:3] == [("reading", 2, 7), ("reading", 4, 7), ("reading", 6, 7)]
    assert ("saving", 7, 7) in seen


def test_rows_are_counted_in_a_workbook_without_reading_its_cells(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Register"
    for row in [["ref", "first_name"], ["DH1", "Ann"], ["DH2", "Bob"], ["DH3", "Cat"]]:
        book.active.append(row)
    book.create_sheet("Notes").append(["not", "counted"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    assert count_rows("r.xlsx", path.read_bytes()) == 3
    assert count_rows("r.xlsx", b"not a zip") is None
    assert count_rows("r.csv", b"\xff\xfe bad") is None


def test_an_upload_never_started_has_its_file_dropped_after_a_day(app: Flask, manager: StaffUser) -> None:
    kept = create_job("customers", "new.csv", REGISTER, actor=manager, now=NOW + timedelta(hours=12))
    old = create_job("customers", "old.csv", REGISTER, actor=manager, now=NOW)
    db.session.commit()
    assert run_queued_imports(NOW + timedelta(days=1, minutes=1)) == 1
    db.session.expire_all()
    dropped, waiting = db.session.get(ImportJob, old.id), db.session.get(ImportJob, kept.id)
    assert dropped is not None and waiting is not None
    assert (dropped.status, dropped.content) == ("discarded", None)
    assert (waiting.status, waiting.content) == ("uploaded", REGISTER)
    assert customers() == []


def test_a_running_job_no_longer_stores_its_file(
    app: Flask, manager: StaffUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = create_job(
        "customers", "register.csv", REGISTER.replace(b"Tenancy Ref", b"ref"), actor=manager, now=NOW
    )
    db.session.commit()
    start_job(job, actor=manager, now=NOW)
    db.session.commit()
    seen: list[object] = []
    real = jobs.import_binary

    def spy(*args: object, **kwargs: object) -> object:
        # What another process sees while the rows are read: every progress write rewrites this row.
        with db.engine.connect() as other:
            seen.append(other.scalar(select(ImportJob.content).where(ImportJob.id == job.id)))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jobs, "import_binary", spy)
    assert claim(job.id, NOW) is True
    assert run_job(job.id, now=NOW) == "done"
    assert seen == [None]
    assert customers() == [("DH1", "Ann"), ("DH2", "Bob")]
