"""The attendance register at the door: tick, add walk-ins, count online viewers, close."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models.base import utcnow
from consultations.events.blueprints import staff_bp as bp
from consultations.events.forms import OnlineForm, RegisterForm, TickForm, WalkInForm
from consultations.events.models import Booking, Event
from consultations.events.register import (
    ChooseCustomer,
    RegisterError,
    RegisterStateError,
    add_walk_in,
    attendance_counts,
    close_register,
    register_rows,
    reopen_register,
    set_attended,
    set_online_viewers,
)


def _back(event: Event, form: RegisterForm, anchor: str | None = None) -> ResponseReturnValue:
    query = form.q.data
    return redirect(url_for("events.register", event_id=event.id, q=query or None, _anchor=anchor), 303)


def _page(event: Event, query: str = "", status: int = 200) -> ResponseReturnValue:
    return render_template(
        "events/register.html",
        event=event,
        rows=register_rows(event, query),
        q=query,
        counts=attendance_counts(event),
        now=utcnow(),
    ), status


def _refused(event: Event, form: RegisterForm, exc: RegisterError, prefix: str = "") -> ResponseReturnValue:
    """Show the register again with why: 409 when its state forbids the change, else 422."""
    db.session.rollback()
    flash(f"{prefix}{exc}", "error")
    return _page(event, form.q.data, 409 if isinstance(exc, RegisterStateError) else 422)


@bp.get("/<int:event_id>/register")
@roles_required("staff")
def register(event_id: int) -> ResponseReturnValue:
    """Show the register, searchable by name, reference, phone or email."""
    return _page(db.get_or_404(Event, event_id), request.args.get("q", ""))


@bp.post("/<int:event_id>/register/<int:booking_id>")
@roles_required("staff")
def tick(event_id: int, booking_id: int) -> ResponseReturnValue:
    """Mark one booking as attended, or undo it."""
    event = db.get_or_404(Event, event_id)
    booking = db.one_or_404(select(Booking).where(Booking.id == booking_id, Booking.event_id == event.id))
    form = TickForm()
    try:
        set_attended(booking, form.attended.data == "1", now=utcnow())
    except RegisterError as exc:
        return _refused(event, form, exc)
    db.session.commit()
    return _back(event, form, f"b{booking.id}")


@bp.post("/<int:event_id>/register/walk-in")
@roles_required("staff")
def walk_in(event_id: int) -> ResponseReturnValue:
    """Add someone who came without booking."""
    event = db.get_or_404(Event, event_id)
    form = WalkInForm()
    try:
        booking = add_walk_in(
            event,
            ref=form.ref.data,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            phone=form.phone.data,
            email=form.email.data,
            places=form.place_count(),
            now=utcnow(),
            customer_id=form.customer_id.data or None,
            as_guest=form.as_guest.data == "1",
        )
    except ChooseCustomer as choice:
        db.session.rollback()
        typed = {k: form[k].data for k in ("first_name", "last_name", "phone", "email", "places", "q")}
        return render_template("events/walk_in_pick.html", event=event, matches=choice.matches, typed=typed)
    except RegisterError as exc:
        return _refused(event, form, exc, "Walk-in not added: ")
    db.session.commit()
    flash(f"{booking.display_name} is marked as here.", "success")
    return _back(event, form)


@bp.post("/<int:event_id>/register/online")
@roles_required("staff")
def online(event_id: int) -> ResponseReturnValue:
    """Record the online viewer count."""
    event = db.get_or_404(Event, event_id)
    form = OnlineForm()
    try:
        set_online_viewers(event, int(form.online_viewers.data))
    except RegisterError as exc:
        return _refused(event, form, exc)
    except ValueError:
        return _refused(event, form, RegisterError("Enter the viewer count as a whole number."))
    db.session.commit()
    flash("Online viewer count saved.", "success")
    return _back(event, form)


@bp.post("/<int:event_id>/register/close")
@roles_required("staff")
def close(event_id: int) -> ResponseReturnValue:
    """Close the register and write attendance into the participation ledger."""
    event = db.get_or_404(Event, event_id)
    try:
        summary = close_register(event, now=utcnow(), actor=current_user)
    except RegisterError as exc:
        return _refused(event, RegisterForm(), exc)
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
