"""Imports started from the staff pages, and the header names each kind of file has been taught."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

# uploaded: waiting for someone to look at the preview; queued: waiting for the clock;
# running: being imported; done / failed: finished (failed imports wrote nothing);
# discarded: never started, and its file dropped.
JOB_STATUSES = ("uploaded", "queued", "running", "done", "failed", "discarded")


class ImportJob(db.Model):
    """One uploaded file: its preview, then its import in the background, then what it did."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="uploaded", index=True)
    stage: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_by_email: Mapped[str] = mapped_column(String(254), default="")
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str] = mapped_column(String(120), default="")
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    error_total: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The file itself, kept only until its import starts (read into memory, then dropped).
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    @property
    def finished(self) -> bool:
        """True once the import has succeeded, failed or been discarded unstarted."""
        return self.status in ("done", "failed", "discarded")


class HeaderMapping(db.Model):
    """A header a landlord's file uses, remembered as one of our columns for that kind of file."""

    __tablename__ = "import_header_mappings"
    __table_args__ = (UniqueConstraint("kind", "header"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    header: Mapped[str] = mapped_column(String(120))
    field: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_email: Mapped[str] = mapped_column(String(254), default="")
