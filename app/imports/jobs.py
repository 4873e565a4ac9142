"""Imports run in the background: an upload is kept, queued, then imported by the scheduler's clock."""

from __future__ import annotations

import csv
import io
import logging
import os
import socket
import time
import zipfile
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.imports.mappings import saved_headers
from app.imports.result import ImportRejected, ImportResult
from app.imports.service import KINDS, import_binary, is_workbook
from app.imports.workbook import count_sheet_rows
from app.models import StaffUser, audit
from app.models.base import utcnow
from app.models.imports import ImportJob

log = logging.getLogger(__name__)
_jobs = ImportJob.__table__
# A running import writes its progress at least this often while it reads; longer silence means it died.
DEFAULT_STALE_MINUTES = 15
# An upload nobody started is personal data nobody needs: its file is dropped after this long.
UNSTARTED_KEPT = timedelta(days=1)
WRITE_EVERY_SECONDS = 1.0


class JobError(ValueError):
    """An import cannot move on as asked (already started, already finished)."""


def create_job(kind: str, filename: str, content: bytes, *, actor: Any, now: datetime) -> ImportJob:
    """Keep an uploaded file for its preview; nothing is imported until it is started."""
    if kind not in KINDS:
        raise JobError(f"{kind} is not a kind of import")
    job = ImportJob(
        kind=kind,
        filename=filename[-255:],
        size=len(content),
        status="uploaded",
        created_at=now,
        created_by_id=getattr(actor, "id", None),
        created_by_email=str(getattr(actor, "email", "") or "")[:254],
        content=content,
        errors=[],
        notes=[],
        headers={},
    )
    db.session.add(job)
    db.session.flush()
    return job


def start_job(job: ImportJob, *, actor: Any, now: datetime) -> None:
    """Queue an uploaded file for the clock, with the header mappings saved at this moment."""
    if job.status == "discarded":
        raise JobError("This upload was discarded unstarted; upload the file again to import it.")
    if job.status != "uploaded":
        raise JobError("This file has already been imported or queued; upload it again to import it again.")
    job.status = "queued"
    job.queued_at = now
    job.headers = saved_headers(job.kind)
    audit.record(
        "import.start",
        actor=actor,
        target_type=job.kind,
        target_id=job.id,
        detail={"file": job.filename, "bytes": job.size},
        now=now,
    )
    db.session.flush()


def count_rows(filename: str, content: bytes) -> int | None:
    """Count the data rows under the header (for a workbook, about); None if the file is unreadable."""
    try:
        if is_workbook(filename):
            # Row elements, blank ones too: a close estimate, made exact once every row is checked.
            total = count_sheet_rows(io.BytesIO(content))
        else:
            records = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), dialect="excel")
            # map() keeps the per-cell work in C: this pass over the file is only for the progress bar.
            strip = str.strip
            total = sum(1 for record in records if any(map(strip, record)))
    except (UnicodeDecodeError, csv.Error, ValueError, KeyError, OSError, StopIteration, zipfile.BadZipFile):
        return None
    return max(0, total - 1)


class JobProgress:
    """Write an import's progress on its own connection, so other processes see it as it goes."""

    def __init__(self, job_id: int, total: int | None) -> None:
        self.job_id = job_id
        self.total = total
        self._stage = ""
        self._last = 0.0
        # SQLite has one writer: while the import itself is writing, a second connection would wait.
        self._quiet_when_saving = db.engine.dialect.name == "sqlite"

    def __call__(self, message: str) -> None:
        log.debug("import %s: %s", self.job_id, message)

    def count(self, stage: str, done: int, total: int | None) -> None:
        """Note how many rows are done in a stage ("reading", "checked" or "saving")."""
        if stage == "saving" and self._quiet_when_saving:
            return
        moment = time.monotonic()
        if stage == self._stage and moment - self._last < WRITE_EVERY_SECONDS:
            return
        self._stage, self._last = stage, moment
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if stage == "saving":
            values.update(stage="saving", rows_done=done, rows_total=total)
        else:
            values.update(stage="saving" if stage == "checked" else "reading", rows_done=done)
            if stage == "checked":
                values["rows_total"] = done
        with db.engine.begin() as connection:
            connection.execute(update(_jobs).where(_jobs.c.id == self.job_id).values(**values))


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim(job_id: int, now: datetime) -> bool:
    """Take a queued job for this process; another clock that got there first wins."""
    claimed = db.session.execute(
        update(_jobs)
        .where(_jobs.c.id == job_id, _jobs.c.status == "queued")
        .values(status="running", stage="reading", started_at=now, heartbeat_at=now, worker=_worker())
    )
    db.session.commit()
    return bool(claimed.rowcount)


def _actor(job: ImportJob) -> Any:
    user = db.session.get(StaffUser, job.created_by_id) if job.created_by_id else None
    return user or audit.CommandLineActor(email=job.created_by_email or "staff import")


def _fail(job_id: int, errors: list[str], total: int, now: datetime, reason: str) -> None:
    """Mark a job failed after its import was rolled back; keep the problems, drop the file."""
    db.session.rollback()
    job = db.session.get(ImportJob, job_id)
    if job is None:
        return
    job.status, job.stage, job.finished_at = "failed", "", now
    job.errors, job.error_total, job.content = errors, total, None
    audit.record(
        "import.failed",
        actor=_actor(job),
        target_type=job.kind,
        target_id=job.id,
        detail={"file": job.filename, "problems": total, "reason": reason},
        now=now,
    )
    db.session.commit()


def _done(job: ImportJob, result: ImportResult, now: datetime) -> None:
    job.status, job.stage, job.finished_at = "done", "", now
    job.rows, job.rows_done = result.rows, result.rows
    job.rows_total = result.rows
    job.added, job.updated, job.unchanged, job.skipped = (
        result.added,
        result.updated,
        result.unchanged,
        result.skipped,
    )
    job.notes = result.notes[:1000]
    job.content = None


def run_job(job_id: int, *, now: datetime) -> str:
    """Import a claimed job's file, all of it or none of it; return the job's final status."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != "running":
        raise JobError("only a running job can be imported")
    content = job.content or b""
    progress = JobProgress(job_id, count_rows(job.filename, content))
    # The file leaves the job's row once read into memory: SQLite rewrites a whole row, file and
    # all, for every progress update (40 MB a time for a million rows), and a job that stops
    # midway asks for the file to be uploaded again anyway.
    started: dict[str, Any] = {"content": None}
    if progress.total is not None:
        started["rows_total"] = progress.total
    db.session.execute(update(_jobs).where(_jobs.c.id == job_id).values(**started))
    db.session.commit()
    try:
        result = import_binary(
            job.kind,
            job.filename,
            io.BytesIO(content),
            now=now,
            actor=_actor(job),
            progress=progress,
            headers=job.headers or {},
        )
        _done(job, result, now)
        db.session.commit()
    except ImportRejected as rejected:
        _fail(job_id, rejected.errors, rejected.total, utcnow(), "rejected")
        return "failed"
    except IntegrityError:
        # Only another writer between our checks and our writes can cause this.
        message = f"{job.filename}: nothing imported; the data changed while importing, try again."
        _fail(job_id, [message], 1, utcnow(), "conflict")
        return "failed"
    except Exception as exc:
        log.exception("import %s stopped", job_id)
        message = (
            f"{job.filename}: nothing imported; the import stopped because of an unexpected error "
            f"({type(exc).__name__}). Try again, or ask an administrator to look at the log."
        )
        _fail(job_id, [message], 1, utcnow(), type(exc).__name__)
        return "failed"
    return "done"


def fail_stale(now: datetime, *, minutes: int) -> int:
    """Mark failed the running jobs that stopped writing progress: their process died mid-import."""
    cutoff = now - timedelta(minutes=minutes)
    stale = db.session.scalars(
        select(ImportJob.id).where(ImportJob.status == "running", ImportJob.heartbeat_at < cutoff)
    ).all()
    for job_id in stale:
        job = db.session.get(ImportJob, job_id)
        assert job is not None
        message = (
            f"{job.filename}: nothing imported; the import stopped without finishing "
            "(the scheduler was stopped or restarted). Upload the file again to import it."
        )
        _fail(job_id, [message], 1, now, "stopped")
    return len(stale)


def discard_unstarted(now: datetime) -> int:
    """Drop the files of uploads that were never started; their previews are no longer needed."""
    discarded = db.session.execute(
        update(_jobs)
        .where(_jobs.c.status == "uploaded", _jobs.c.created_at < now - UNSTARTED_KEPT)
        .values(status="discarded", content=None, finished_at=now)
    )
    db.session.commit()
    return int(discarded.rowcount or 0)


def run_queued_imports(now: datetime) -> int:
    """Sweeper: fail imports whose process died, drop unstarted uploads, then import every queued file."""
    minutes = int(current_app.config.get("IMPORT_STALE_MINUTES") or DEFAULT_STALE_MINUTES)
    done = fail_stale(now, minutes=minutes) + discard_unstarted(now)
    while True:
        job_id = db.session.scalar(
            select(ImportJob.id).where(ImportJob.status == "queued").order_by(ImportJob.id).limit(1)
        )
        db.session.rollback()
        if job_id is None:
            return done
        started = utcnow()
        if claim(job_id, started):
            run_job(job_id, now=started)
            done += 1
