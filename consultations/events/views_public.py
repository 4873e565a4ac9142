"""Public pages: book an event, see or cancel a booking, download the calendar invite."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.models.base import utcnow
from app.ratelimit import lookup_failed, lookup_limit, public_post_limit
from consultations.events import notices
from consultations.events.blueprints import public_bp as bp
from consultations.events.forms import BookingForm
from consultations.events.ics import event_calendar
from consultations.events.models import ACTIVE_STATUSES, WAITING, Booking, Event
from consultations.events.services import BookingError, book, booking_by_token, cancel, waiting_position

# The 404 description that tells the not-found page a booking, not the event, is missing.
NO_BOOKING = "booking"


@bp.errorhandler(404)
def not_found(error: NotFound) -> ResponseReturnValue:
    """Say whether the event or the booking could not be found."""
    slug = (request.view_args or {}).get("slug", "")
    booking = error.description == NO_BOOKING
    return render_template("events/public_missing.html", slug=slug, booking=booking), 404


def _event(slug: str) -> Event:
    # A NUL cannot be in any slug, and PostgreSQL refuses to compare text holding one.
    if "\x00" in slug:
        abort(404)
    return db.one_or_404(select(Event).where(Event.slug == slug.lower()))


def _booking(event: Event, token: str) -> Booking:
    booking = booking_by_token(event, token)
    if booking is None:
        abort(404, description=NO_BOOKING)
    return booking


def _page(event: Event, form: BookingForm, status: int = 200, outcome: str = "") -> ResponseReturnValue:
    return render_template(
        "events/public_book.html",
        event=event,
        state=event.booking_state(utcnow()),
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
    event = _event(slug)
    form = BookingForm(places="1")
    if request.method == "GET":
        return _page(event, form)
    booking_request = form.read(event)
    if form.lookup_failed:
        lookup_failed()
    if booking_request is None:
        return _page(event, form, 422)
    try:
        outcome = book(event, booking_request, now=utcnow())
    except BookingError as exc:
        form.fail("places", str(exc))
        return _page(event, form, 422)
    if outcome.status in ACTIVE_STATUSES and outcome.token:
        db.session.commit()
        return redirect(
            url_for("events_public.booking_page", slug=event.slug, token=outcome.token, new=1), 303
        )
    # Already booked, full, not open yet or closed: the event's state refuses the booking.
    db.session.rollback()
    return _page(event, form, 409, outcome.status)


@bp.get("/<slug>/booking/<token>")
def booking_page(slug: str, token: str) -> ResponseReturnValue:
    """Show a booking's status, with the calendar invite and the cancel button."""
    event = _event(slug)
    booking = _booking(event, token)
    position = waiting_position(booking) if booking.status == WAITING else None
    return render_template(
        "events/public_booking.html",
        event=event,
        booking=booking,
        token=token,
        position=position,
        when=notices.when(event),
        where=notices.where(event),
        new=request.args.get("new") == "1",
    )


@bp.route("/<slug>/cancel/<token>", methods=["GET", "POST"])
@public_post_limit()
def cancel_page(slug: str, token: str) -> ResponseReturnValue:
    """Ask to confirm, then cancel a booking from its link."""
    event = _event(slug)
    booking = _booking(event, token)
    status = 200
    if request.method == "POST":
        if booking.status in ACTIVE_STATUSES:
            cancel(booking, now=utcnow())
            db.session.commit()
            return redirect(url_for("events_public.booking_page", slug=event.slug, token=token), 303)
        status = 409  # already cancelled: the page says so
    return render_template(
        "events/public_cancel.html", event=event, booking=booking, token=token, when=notices.when(event)
    ), status


@bp.get("/<slug>/calendar.ics")
def calendar(slug: str) -> ResponseReturnValue:
    """Download the event as a calendar invite."""
    event = _event(slug)
    return Response(
        event_calendar(event, now=utcnow()),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )
