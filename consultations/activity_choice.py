"""Staff forms pick an existing activity; a new one is made only when they ask for it."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity


def activity_choice_error(name: str, *, create: bool) -> str | None:
    """Return a "activity: ..." error when ``name`` is no activity and creating one was not asked for."""
    name = (name or "").strip()
    if not name or create:
        return None
    if db.session.scalar(select(Activity.id).where(Activity.name == name)) is not None:
        return None
    # A near miss in case or spacing is a typo for the existing activity, not a new one.
    similar = db.session.scalar(
        select(Activity.name).where(func.lower(func.trim(Activity.name)) == name.lower()).limit(1)
    )
    if similar is not None:
        return f"activity: there is no activity called “{name}”; did you mean “{similar}”?"
    return (
        f"activity: there is no activity called “{name}”. Pick one from the list, or tick "
        "“Create a new activity with this name”."
    )


def wants_new_activity(form: object) -> bool:
    """Return whether the form's "create a new activity" box is ticked."""
    return getattr(form, "get", lambda _key: None)("new_activity") in ("on", "1", "true", "yes")
