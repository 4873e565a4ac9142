"""The audit log of staff actions."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Something a member of staff did that others may need to account for."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(60), default="")
    target_id: Mapped[str] = mapped_column(String(60), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@dataclass(frozen=True)
class CommandLineActor:
    """The person at the terminal, for audit events written by ``flask`` commands."""

    id: None = None
    email: str = field(default_factory=lambda: f"command line ({getpass.getuser()})")


def record(
    action: str,
    *,
    actor: Any = None,
    target_type: str = "",
    target_id: object = "",
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to the session; the caller commits."""
    event = AuditEvent(
        at=now or utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail or {},
    )
    db.session.add(event)
    return event


def apply_changes(
    obj: Any, values: dict[str, Any], action: str, *, actor: Any, now: datetime, target_type: str = ""
) -> list[str]:
    """Set the attributes of ``obj`` that differ from ``values`` and audit their names (never values)."""
    changed = sorted(k for k, v in values.items() if getattr(obj, k) != v)
    for key in changed:
        setattr(obj, key, values[key])
    if changed:
        record(
            action,
            actor=actor,
            target_type=target_type or obj.__tablename__,
            target_id=obj.id,
            detail={"fields": changed},
            now=now,
        )
    return changed
