"""The attendance register at the door: tick, add walk-ins, count online viewers, close."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.auth.decorators import roles_required
from app.extensions import db
from app.models.base import utcnow
from consultations.events.blueprints import staff as bp
from consultations.events.models import Booking, Event
from consultations.events.register import (
    ChooseCustomer,
    RegisterError,
    add_walk_in,
    attendance_counts,
    close_register,
    register_rows,
    reopen_register,
    set_attended,
    set_online_viewers,
)


def _back(event: Event, anchor: str | None = None) -> ResponseReturnValue:
    query = request.form.get("q", "")
    return redirect(url_for("events.register", event_id=event.id, q=query or None, _anchor=anchor), 303)


@bp.get("/<int:event_id>/register")
@roles_required("staff")
def register(event_id: int) -> ResponseReturnValue:
    """Show the register, searchable by name, reference, phone or email."""
    event = db.get_or_404(Event, event_id)
    query = request.args.get("q", "")
    return render_template(
        "events/register.html",
        event=event,
        rows=register_rows(event, query),
        q=query,
        counts=attendance_counts(event),
        now=utcnow(),
    )


@bp.post("/<int:event_id>/register/<int:booking_id>")
@roles_required("staff")
def tick(event_id: int, booking_id: int) -> ResponseReturnValue:
    """Mark one booking as attended, or undo it."""
    event = db.get_or_404(Event, event_id)
    booking = db.get_or_404(Booking, booking_id)
    if booking.event_id != event.id:
        return _back(event)
    try:
        set_attended(booking, request.form.get("attended") == "1", now=utcnow())
    except RegisterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(event)
    db.session.commit()
    return _back(event, f"b{booking.id}")


@bp.post("/<int:event_id>/register/walk-in")
@roles_required("staff")
def walk_in(event_id: int) -> ResponseReturnValue:
    """Add someone who came without booking."""
    event = db.get_or_404(Event, event_id)
    form = request.form
    try:
        places = int(form.get("places") or "1")
    except ValueError:
        places = 0
    try:
        booking = add_walk_in(
            event,
            ref=form.get("ref", ""),
            first_name=form.get("first_name", ""),
            last_name=form.get("last_name", ""),
            phone=form.get("phone", ""),
            email=form.get("email", ""),
            places=places,
            now=utcnow(),
            customer_id=form.get("customer_id") or None,
            as_guest=form.get("as_guest") == "1",
        )
    except ChooseCustomer as choice:
        db.session.rollback()
        typed = {k: form.get(k, "") for k in ("first_name", "last_name", "phone", "email", "places", "q")}
        return render_template("events/walk_in_pick.html", event=event, matches=choice.matches, typed=typed)
    except RegisterError as exc:
        db.session.rollback()
        flash(f"Walk-in not added: {exc}", "error")
        return _back(event, "walk-in")
    db.session.commit()
    flash(f"{booking.display_name} is marked as here.", "success")
    return _back(event)


@bp.post("/<int:event_id>/register/online")
@roles_required("staff")
def online(event_id: int) -> ResponseReturnValue:
    """Record the online viewer count."""
    event = db.get_or_404(Event, event_id)
    try:
        count = int((request.form.get("online_viewers") or "").strip())
        set_online_viewers(event, count)
    except ValueError as exc:
        db.session.rollback()
        flash(
            str(exc) if isinstance(exc, RegisterError) else "Enter the viewer count as a whole number.",
            "error",
        )
        return _back(event, "online")
    db.session.commit()
    flash("Online viewer count saved.", "success")
    return _back(event)


@bp.post("/<int:event_id>/register/close")
@roles_required("staff")
def close(event_id: int) -> ResponseReturnValue:
    """Close the register and write attendance into the participation ledger."""
    event = db.get_or_404(Event, event_id)
    try:
        summary = close_register(event, now=utcnow(), actor=current_user)
    except RegisterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("events.register", event_id=event.id), 303)
    db.session.commit()
    flash(
        f"Register closed: {summary['attendees']} customers, {summary['guests']} guests and "
        f"{summary['online']} online viewers recorded.",
        "success",
    )
    return redirect(url_for("events.register", event_id=event.id), 303)


@bp.post("/<int:event_id>/register/reopen")
@roles_required("staff")
def reopen(event_id: int) -> ResponseReturnValue:
    """Reopen the register for corrections."""
    event = db.get_or_404(Event, event_id)
    reopen_register(event, now=utcnow(), actor=current_user)
    db.session.commit()
    flash("Register reopened. Close it again to update the records.", "info")
    return redirect(url_for("events.register", event_id=event.id), 303)
