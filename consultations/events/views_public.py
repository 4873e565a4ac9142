"""Public pages: book an event, see or cancel a booking, download the calendar invite."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.ratelimit import lookup_failed, lookup_limit, public_post_limit
from consultations.events import notices
from consultations.events.blueprints import public as bp
from consultations.events.forms import BookingForm, read_booking_form
from consultations.events.ics import event_calendar
from consultations.events.models import ACTIVE_STATUSES, WAITING, Event
from consultations.events.services import BookingError, book, booking_by_token, cancel, waiting_position


def _event_or_404(slug: str) -> Event | ResponseReturnValue:
    # A NUL cannot be in any slug, and PostgreSQL refuses to compare text holding one.
    event = None if "\x00" in slug else db.session.scalar(select(Event).where(Event.slug == slug.lower()))
    if event is None:
        return render_template("events/public_missing.html", slug=slug), 404
    return event


def _page(
    event: Event, form: BookingForm | None = None, status: int = 200, outcome: str = ""
) -> ResponseReturnValue:
    now = utcnow()
    form = form or BookingForm({"places": "1"})
    return render_template(
        "events/public_book.html",
        event=event,
        state=event.booking_state(now),
        form=form,
        when=notices.when(event),
        where=notices.where(event),
        outcome=outcome,
    ), status


@bp.route("/<slug>", methods=["GET", "POST"])
@public_post_limit()
@lookup_limit()
def book_page(slug: str) -> ResponseReturnValue:
    """Show an event and take a booking for it."""
    found = _event_or_404(slug)
    if not isinstance(found, Event):
        return found
    event = found
    if request.method == "GET":
        return _page(event)
    form = read_booking_form(request.form, event)
    if form.lookup_failed:
        lookup_failed()
    if form.request is None:
        return _page(event, form, 400)
    try:
        outcome = book(event, form.request, now=utcnow())
    except BookingError as exc:
        form.errors["places"] = str(exc)
        return _page(event, form, 400)
    if outcome.status in ACTIVE_STATUSES and outcome.token:
        db.session.commit()
        return redirect(
            url_for("events_public.booking_page", slug=event.slug, token=outcome.token, new=1), 303
        )
    db.session.rollback()
    return _page(event, form, 409 if outcome.status in ("already", "full") else 400, outcome.status)


@bp.get("/<slug>/booking/<token>")
def booking_page(slug: str, token: str) -> ResponseReturnValue:
    """Show a booking's status, with the calendar invite and the cancel button."""
    found = _event_or_404(slug)
    if not isinstance(found, Event):
        return found
    booking = booking_by_token(found, token)
    if booking is None:
        return render_template("events/public_missing.html", slug=slug, booking=True), 404
    position = waiting_position(booking) if booking.status == WAITING else None
    return render_template(
        "events/public_booking.html",
        event=found,
        booking=booking,
        token=token,
        position=position,
        when=notices.when(found),
        where=notices.where(found),
        new=request.args.get("new") == "1",
    )


@bp.route("/<slug>/cancel/<token>", methods=["GET", "POST"])
@public_post_limit()
def cancel_page(slug: str, token: str) -> ResponseReturnValue:
    """Ask to confirm, then cancel a booking from its link."""
    found = _event_or_404(slug)
    if not isinstance(found, Event):
        return found
    booking = booking_by_token(found, token)
    if booking is None:
        return render_template("events/public_missing.html", slug=slug, booking=True), 404
    if request.method == "POST" and booking.status in ACTIVE_STATUSES:
        cancel(booking, now=utcnow())
        db.session.commit()
        return redirect(url_for("events_public.booking_page", slug=found.slug, token=token), 303)
    return render_template(
        "events/public_cancel.html", event=found, booking=booking, token=token, when=notices.when(found)
    )


@bp.get("/<slug>/calendar.ics")
def calendar(slug: str) -> ResponseReturnValue:
    """Download the event as a calendar invite."""
    found = _event_or_404(slug)
    if not isinstance(found, Event):
        return found
    return Response(
        event_calendar(found, now=utcnow()),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{found.slug}.ics"'},
    )
