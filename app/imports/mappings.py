"""Header names a landlord's files use, remembered per kind of file as one of our column names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from app.extensions import db
from app.imports.reader import header_name
from app.models import audit
from app.models.imports import HeaderMapping

HEADER_LIMIT = 120


class MappingError(ValueError):
    """A header cannot be mapped as asked; the message says why in plain words."""


def saved_headers(kind: str) -> dict[str, str]:
    """Return the remembered mappings for ``kind``: their header (as header_name() reads it) -> column."""
    rows = db.session.execute(
        select(HeaderMapping.header, HeaderMapping.field).where(HeaderMapping.kind == kind)
    )
    return {header: column for header, column in rows}


def save_mapping(
    kind: str,
    header: str,
    column: str,
    *,
    columns: Sequence[str],
    actor: Any,
    now: datetime,
) -> str:
    """Remember that ``header`` in files of ``kind`` means ``column`` (blank: forget it); return its key."""
    key = header_name(header)
    if not key:
        raise MappingError("A blank header cannot be mapped.")
    if len(key) > HEADER_LIMIT:
        raise MappingError(f"That header is too long to remember (at most {HEADER_LIMIT} characters).")
    if key in columns:
        raise MappingError(f"{key} is already one of the columns; it needs no mapping.")
    if column and column not in columns:
        raise MappingError(f"{column} is not a column of {kind} files.")
    current = db.session.scalar(
        select(HeaderMapping).where(HeaderMapping.kind == kind, HeaderMapping.header == key)
    )
    if not column:
        if current is not None:
            db.session.execute(delete(HeaderMapping).where(HeaderMapping.id == current.id))
    elif current is None:
        db.session.add(
            HeaderMapping(kind=kind, header=key, field=column, updated_at=now, updated_by_email=_email(actor))
        )
    else:
        current.field, current.updated_at, current.updated_by_email = column, now, _email(actor)
    audit.record(
        "import.mapping",
        actor=actor,
        target_type=kind,
        target_id=key[:60],
        detail={"header": key, "column": column or None},
        now=now,
    )
    db.session.flush()
    return key


def _email(actor: Any) -> str:
    return str(getattr(actor, "email", "") or "")[:254]
