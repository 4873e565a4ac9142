"""Staff screens for the landlord's lists: add, rename, reorder, synonyms and retiring values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Area, VocabularySynonym, utcnow
from app.vocabulary import services
from app.vocabulary.defaults import FIELDS, LABELS
from app.vocabulary.lists import key, load, load_all

bp = Blueprint("vocabulary", __name__, url_prefix="/lists")


def _field(name: str) -> str:
    if name not in FIELDS:
        abort(404)
    return name


@bp.get("/")
@roles_required("manager")
def index() -> ResponseReturnValue:
    """Show every list the register's profile fields take values from."""
    return render_template("vocabulary/index.html", lists=load_all(), labels=LABELS)


def _page(
    name: str, errors: dict[tuple[str, str], str] | None = None, status: int = 200
) -> ResponseReturnValue:
    vocabulary = load(name)
    synonyms: dict[str, list[VocabularySynonym]] = {}
    for synonym in db.session.scalars(
        select(VocabularySynonym).where(VocabularySynonym.field == name).order_by(VocabularySynonym.id)
    ):
        owner = synonym.listed.value if synonym.listed else db.session.get(Area, synonym.area_id).name  # type: ignore[union-attr]
        synonyms.setdefault(owner, []).append(synonym)
    homes = dict(db.session.execute(select(Area.name, Area.homes)).all()) if name == "area" else {}
    return render_template(
        "vocabulary/list.html",
        name=name,
        label=LABELS[name],
        vocabulary=vocabulary,
        counts=services.in_use(name),
        stored_synonyms=synonyms,
        homes=homes,
        key=key,
        errors=errors or {},
        typed=request.form if request.method == "POST" else {},
    ), status


@bp.get("/<name>")
@roles_required("manager")
def show(name: str) -> ResponseReturnValue:
    """Show one list with its values in order, how many customers hold each, and its synonyms."""
    return _page(_field(name))


def _act(
    name: str, action: str, change: Callable[[], Any], done: Callable[[Any], str]
) -> ResponseReturnValue:
    """Make one change; on a problem show the page again with the message beside the field."""
    try:
        outcome = change()
    except services.VocabularyError as exc:
        db.session.rollback()
        row = request.form.get("value", "")
        return _page(name, {(action, row): exc.message, (exc.field, row): exc.message}, 422)
    db.session.commit()
    flash(done(outcome), "success")
    return redirect(url_for("vocabulary.show", name=name))


@bp.post("/<name>/add")
@roles_required("manager")
def add(name: str) -> ResponseReturnValue:
    """Add a value at the end of the list."""
    _field(name)
    text = request.form.get("new_value", "")

    def change() -> str:
        try:
            return services.add_value(name, text, actor=current_user, now=utcnow())
        except services.VocabularyError as exc:
            raise services.VocabularyError("new_value", exc.message) from None

    return _act(name, "add", change, lambda value: f"Added {value!r} to the {LABELS[name].lower()} list.")


@bp.post("/<name>/rename")
@roles_required("manager")
def rename(name: str) -> ResponseReturnValue:
    """Rename a value on the list and on every customer who holds it."""
    _field(name)
    value, text = request.form.get("value", ""), request.form.get("rename", "")
    return _act(
        name,
        "rename",
        lambda: services.rename_value(name, value, text, actor=current_user, now=utcnow()),
        lambda n: (
            f"Renamed {value!r} to {' '.join(text.split())!r} ({n:,} customer record(s) changed); "
            f"files that still say {value!r} keep importing as the new name."
        ),
    )


@bp.post("/<name>/move")
@roles_required("manager")
def move(name: str) -> ResponseReturnValue:
    """Move a value one place up or down."""
    _field(name)
    value = request.form.get("value", "")
    step = -1 if request.form.get("step") == "up" else 1
    return _act(
        name,
        "move",
        lambda: services.move_value(name, value, step, actor=current_user, now=utcnow()),
        lambda _: f"Moved {value!r} {'up' if step < 0 else 'down'}.",
    )


@bp.post("/<name>/synonyms")
@roles_required("manager")
def add_synonym(name: str) -> ResponseReturnValue:
    """Let another spelling mean a listed value."""
    _field(name)
    value, text = request.form.get("value", ""), request.form.get("synonym", "")
    return _act(
        name,
        "synonym",
        lambda: services.add_synonym(name, value, text, actor=current_user, now=utcnow()),
        lambda spelling: f"{spelling!r} now means {value!r}.",
    )


@bp.post("/<name>/synonyms/<int:synonym_id>/remove")
@roles_required("manager")
def remove_synonym(name: str, synonym_id: int) -> ResponseReturnValue:
    """Stop a spelling meaning its value."""
    _field(name)
    return _act(
        name,
        "remove",
        lambda: services.remove_synonym(name, synonym_id, actor=current_user, now=utcnow()),
        lambda spelling: f"{spelling!r} is no longer a synonym.",
    )


@bp.post("/<name>/retire")
@roles_required("manager")
def retire(name: str) -> ResponseReturnValue:
    """Take a value off the list, moving the customers who hold it to another value."""
    _field(name)
    value, into = request.form.get("value", ""), request.form.get("into", "") or None
    return _act(
        name,
        "retire",
        lambda: services.retire_value(name, value, into, actor=current_user, now=utcnow()),
        lambda n: (
            f"Retired {value!r}"
            + (
                f"; {n:,} customer record(s) now say {into!r}, and {value!r} in a file imports as {into!r}."
                if into
                else "."
            )
        ),
    )
