"""Staff screens: list, create and edit events, see and take bookings, invite, log staff time and costs."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Activity, Cost, StaffTime
from app.models.base import utcnow
from app.periods import LONDON
from app.web.ledger_forms import submit_cost, submit_staff_time
from consultations.activity_choice import activity_choice_error
from consultations.audiences import AudienceError, count_audience
from consultations.events.blueprints import staff_bp as bp
from consultations.events.definitions import DefinitionError, event_to_definition, save_definition
from consultations.events.forms import (
    EventCostForm,
    EventForm,
    EventStaffTimeForm,
    InviteForm,
    PhoneBookingForm,
)
from consultations.events.invitations import InvitationError, InvitationsClosed, invitations_sent, invite
from consultations.events.models import ACTIVE_STATUSES, Booking, Event
from consultations.events.phone_booking import outcome_message, read_phone_booking
from consultations.events.register import attendance_counts
from consultations.events.services import BookingError, book, cancel_for_caller
from consultations.field_errors import FieldError


@bp.get("/")
@roles_required("staff")
def index() -> ResponseReturnValue:
    """List events, the next ones first, then past ones."""
    now = utcnow()
    events = db.session.scalars(select(Event).order_by(Event.starts_at.desc())).all()
    upcoming = sorted((e for e in events if e.ends_at >= now), key=lambda e: e.starts_at)
    past = [e for e in events if e.ends_at < now]
    return render_template("events/index.html", upcoming=upcoming, past=past, now=now)


def _form_values(event: Event | None) -> dict[str, object]:
    if event is None:
        start = (
            (utcnow() + timedelta(days=14))
            .astimezone(LONDON)
            .replace(hour=11, minute=0, second=0, microsecond=0)
        )
        return {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 50,
            "max_places": 6,
            "reminder_hours": 24,
            "waitlist": True,
        }
    values = event_to_definition(event)
    for key in ("starts_at", "ends_at", "opens_at", "closes_at"):
        values[key] = (values[key] or "")[:16]
    return values


def _edit(event: Event | None) -> ResponseReturnValue:
    activities = db.session.scalars(select(Activity.name).order_by(Activity.name)).all()
    form = EventForm()
    if form.is_submitted():
        data = form.definition()
        try:
            if not form.validate():
                raise DefinitionError([FieldError(name, message) for name, message in form.messages.items()])
            chosen = activity_choice_error(data.get("activity", ""), create=bool(form.new_activity.data))
            if chosen:
                raise DefinitionError([chosen])
            saved, created = save_definition(data, now=utcnow(), actor=current_user, event=event)
        except DefinitionError as exc:
            db.session.rollback()
            values = {**data, "waitlist": data.get("waitlist"), "new_activity": form.new_activity.data}
            return render_template(
                "events/form.html", event=event, values=values, errors=exc.errors, activities=activities
            ), 422
        db.session.commit()
        flash(f"Event {'created' if created else 'saved'}.", "success")
        return redirect(url_for("events.show", event_id=saved.id), 303)
    return render_template(
        "events/form.html", event=event, values=_form_values(event), errors=[], activities=activities
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required("staff")
def new() -> ResponseReturnValue:
    """Create an event."""
    return _edit(None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required("staff")
def edit(event_id: int) -> ResponseReturnValue:
    """Edit an event; more capacity moves people up from the waiting list."""
    return _edit(db.get_or_404(Event, event_id))


def _show(
    event: Event,
    booking_form: PhoneBookingForm | None = None,
    status: int = 200,
    *,
    staff_form: EventStaffTimeForm | None = None,
    cost_form: EventCostForm | None = None,
) -> ResponseReturnValue:
    bookings = db.session.scalars(
        select(Booking).where(Booking.event_id == event.id).order_by(Booking.status, Booking.id)
    ).all()
    staff_hours = db.session.scalar(
        select(func.coalesce(func.sum(StaffTime.hours), 0)).where(StaffTime.activity_id == event.activity_id)
    )
    costs = db.session.scalar(
        select(func.coalesce(func.sum(Cost.amount), 0)).where(Cost.activity_id == event.activity_id)
    )
    booking_form = booking_form or PhoneBookingForm(formdata=None, who="customer", places="1")
    staff_form = staff_form or EventStaffTimeForm(prefix="s", formdata=None, date=_event_day(event))
    cost_form = cost_form or EventCostForm(prefix="c", formdata=None, date=_event_day(event))
    return render_template(
        "events/show.html",
        event=event,
        bookings=bookings,
        counts=attendance_counts(event),
        now=utcnow(),
        invited=invitations_sent(event),
        staff_hours=staff_hours,
        costs=costs,
        preview=None,
        audience={},
        today=utcnow().astimezone(LONDON).date().isoformat(),
        booking_form=booking_form,
        staff_form=staff_form,
        cost_form=cost_form,
    ), status


@bp.get("/<int:event_id>")
@roles_required("staff")
def show(event_id: int) -> ResponseReturnValue:
    """Show an event with its bookings, invitations, staff time and costs."""
    return _show(db.get_or_404(Event, event_id))


@bp.post("/<int:event_id>/bookings")
@roles_required("staff")
def book_for_caller(event_id: int) -> ResponseReturnValue:
    """Book places for someone who phoned, under the same capacity and waiting-list rules."""
    event = db.get_or_404(Event, event_id)
    form = PhoneBookingForm()
    booking_request = read_phone_booking(form, event)
    if booking_request is None:
        return _show(event, form, 422)
    try:
        outcome = book(event, booking_request, now=utcnow(), notify=form.confirm)
    except BookingError as exc:
        db.session.rollback()
        form.fail("places", str(exc))
        return _show(event, form, 422)
    message, category = outcome_message(outcome, form)
    flash(message, category)
    if outcome.status not in ACTIVE_STATUSES:
        # Already booked, full, not open yet or closed: the event's state refuses the booking.
        db.session.rollback()
        return _show(event, form, 409)
    db.session.commit()
    return redirect(url_for("events.show", event_id=event_id, _anchor="bookings"), 303)


@bp.post("/<int:event_id>/bookings/<int:booking_id>/cancel")
@roles_required("staff")
def cancel_booking(event_id: int, booking_id: int) -> ResponseReturnValue:
    """Cancel a booking for someone who phoned; the next person waiting is told."""
    booking = db.one_or_404(select(Booking).where(Booking.id == booking_id, Booking.event_id == event_id))
    if booking.status not in ACTIVE_STATUSES:
        flash("That booking is already cancelled; nothing changed.", "error")
        return _show(booking.event, status=409)
    promoted = cancel_for_caller(booking, actor=current_user, now=utcnow())
    db.session.commit()
    flash(f"Booking cancelled. {len(promoted)} moved up from the waiting list.", "success")
    return redirect(url_for("events.show", event_id=event_id), 303)


@bp.post("/<int:event_id>/invite")
@roles_required("staff")
def send_invitations(event_id: int) -> ResponseReturnValue:
    """Preview or send invitations to an audience."""
    event = db.get_or_404(Event, event_id)
    form = InviteForm()
    try:
        spec, channels = form.audience()
        if form.action.data == "preview":
            plan = count_audience(spec, channels, ("sms", "email"))
            flash(
                f"{plan.total} customers would be invited ({plan.by_channel.get('sms', 0)} by text, "
                f"{plan.by_channel.get('email', 0)} by email); {plan.total_skipped} cannot be reached. "
                "Anyone already invited is not invited again.",
                "info",
            )
            return redirect(url_for("events.show", event_id=event.id, _anchor="invite"), 303)
        result = invite(event, spec, channels, now=utcnow(), actor=current_user)
    except (AudienceError, InvitationError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _show(event, status=409 if isinstance(exc, InvitationsClosed) else 422)
    db.session.commit()
    flash(
        f"{result.queued} invitations queued; {result.already_invited} already invited; "
        f"{result.suppressed} opted out.",
        "success",
    )
    return redirect(url_for("events.show", event_id=event.id, _anchor="invite"), 303)


def _event_day(event: Event) -> date:
    return event.starts_at.astimezone(LONDON).date()


def _back_to_ledger(event: Event) -> ResponseReturnValue:
    return redirect(url_for("events.show", event_id=event.id, _anchor="ledger"), 303)


@bp.post("/<int:event_id>/staff-time")
@roles_required("staff")
def add_staff_time(event_id: int) -> ResponseReturnValue:
    """Log staff hours on the event's activity."""
    event = db.get_or_404(Event, event_id)
    form, now = EventStaffTimeForm(prefix="s", date=_event_day(event)), utcnow()
    # Preparation for an upcoming event is booked against the event's own date.
    latest = max(_event_day(event), now.astimezone(LONDON).date())
    row = submit_staff_time(form, event.activity, actor=current_user, now=now, latest=latest)
    if row:
        flash(f"{row.hours.normalize():f} staff hours added.", "success")
        return _back_to_ledger(event)
    flash("Staff time not saved: see the messages by the fields.", "error")
    return _show(event, staff_form=form, status=422)


@bp.post("/<int:event_id>/costs")
@roles_required("staff")
def add_cost(event_id: int) -> ResponseReturnValue:
    """Log a cost on the event's activity."""
    event = db.get_or_404(Event, event_id)
    form = EventCostForm(prefix="c", date=_event_day(event))
    row = submit_cost(form, event.activity, actor=current_user, now=utcnow())
    if row:
        flash(f"Cost of £{row.amount:,.2f} added.", "success")
        return _back_to_ledger(event)
    flash("Cost not saved: see the messages by the fields.", "error")
    return _show(event, cost_form=form, status=422)
