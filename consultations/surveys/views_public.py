"""Customer-facing survey pages: the personal emailed link and the open web link."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.extensions import db
from app.models.base import utcnow
from app.ratelimit import lookup_failed, lookup_limit, public_post_limit
from consultations.surveys import queries
from consultations.surveys.blueprints import public_bp as bp
from consultations.surveys.forms import OpenLinkForm
from consultations.surveys.models import CLOSED, COMPLETED, OPEN, SCHEDULED, Consultation
from consultations.surveys.texts import london_text
from consultations.surveys.webform import field_name, invitation_for_token, submit_invitation, submit_open
from consultations.tsm.tenure_routing import not_asked_of, tenure_question


def _closed_or_waiting(consultation: Consultation) -> ResponseReturnValue | None:
    """Render the page for a survey that is not taking answers now, if it is not."""
    now = utcnow()
    if consultation.status == CLOSED or (consultation.closes_at and consultation.closes_at <= now):
        closed_on = london_text(consultation.closed_at or consultation.closes_at)
        return render_template(
            "consultations/public/closed.html", consultation=consultation, closed_on=closed_on
        )
    if consultation.status != OPEN:
        opens = london_text(consultation.opens_at) if consultation.status == SCHEDULED else ""
        return render_template("consultations/public/not_open.html", consultation=consultation, opens=opens)
    return None


def _unknown() -> ResponseReturnValue:
    return render_template("consultations/public/unknown.html"), 404


def _form(consultation: Consultation, action: str, **context: object) -> str:
    skip = context.pop("skip", ())
    return render_template(
        "consultations/public/form.html",
        consultation=consultation,
        questions=[q for q in consultation.questions if q.key not in skip],  # type: ignore[operator]
        field_name=field_name,
        action=action,
        errors=context.pop("errors", {}),
        values=context.pop("values", {}),
        **context,
    )


@bp.route("/s/<token>", methods=["GET", "POST"])
@public_post_limit()
def personal(token: str) -> ResponseReturnValue:
    """Show and take the survey of one emailed invitation, once."""
    invitation = invitation_for_token(token)
    if invitation is None:
        return _unknown()
    consultation = invitation.consultation
    if invitation.status == COMPLETED:
        return render_template("consultations/public/already.html", consultation=consultation)
    stopped = _closed_or_waiting(consultation)
    if stopped is not None:
        return stopped
    first_name = invitation.customer.first_name if invitation.customer else ""
    skip = not_asked_of(consultation, invitation.customer)
    action = url_for("surveys_public.personal", token=token)
    if request.method == "GET":
        return _form(consultation, action, first_name=first_name, skip=skip)
    outcome = submit_invitation(invitation, request.form, now=utcnow())
    if outcome is None:
        db.session.rollback()
        return render_template("consultations/public/already.html", consultation=consultation)
    if not outcome.ok:
        db.session.rollback()
        return _form(
            consultation,
            action,
            first_name=first_name,
            skip=skip,
            errors=outcome.errors,
            values=outcome.values,
        ), 422
    db.session.commit()
    return redirect(url_for("surveys_public.personal_thanks", token=token), code=303)


@bp.get("/s/<token>/thanks")
def personal_thanks(token: str) -> ResponseReturnValue:
    """Thank the person who just answered."""
    invitation = invitation_for_token(token)
    if invitation is None:
        return _unknown()
    if invitation.status != COMPLETED:
        return redirect(url_for("surveys_public.personal", token=token))
    return render_template("consultations/public/thanks.html", consultation=invitation.consultation)


NO_SURVEY = "There is no survey at this address. Check the link you were given."


def _open_consultation(slug: str) -> Consultation:
    # A NUL cannot be in any slug, and PostgreSQL refuses to compare text holding one.
    if "\x00" in slug:
        abort(404, NO_SURVEY)
    return db.one_or_404(queries.open_link_query(slug), description=NO_SURVEY)


@bp.route("/w/<slug>", methods=["GET", "POST"])
@public_post_limit()
@lookup_limit()
def open_link(slug: str) -> ResponseReturnValue:
    """Show and take the website survey anyone may answer."""
    consultation = _open_consultation(slug)
    stopped = _closed_or_waiting(consultation)
    if stopped is not None:
        return stopped
    action = url_for("surveys_public.open_link", slug=slug)
    tenure = tenure_question(consultation)
    if request.method == "GET":
        return _form(consultation, action, ask_ref=True, tenure=tenure)
    form = OpenLinkForm()
    # The answers' fields are built from the questions at run time, so webform reads them itself.
    outcome = submit_open(
        consultation,
        request.form,
        channel="web",
        now=utcnow(),
        customer_ref=form.customer_ref.data,
        customer_check=form.customer_check.data,
    )
    if outcome.lookup_failed:
        lookup_failed()
    if outcome.already:
        db.session.rollback()
        return render_template("consultations/public/already.html", consultation=consultation, web=True)
    if not outcome.ok:
        db.session.rollback()
        return _form(
            consultation, action, ask_ref=True, tenure=tenure, errors=outcome.errors, values=outcome.values
        ), 422
    db.session.commit()
    return redirect(url_for("surveys_public.open_thanks", slug=slug), code=303)


@bp.get("/w/<slug>/thanks")
def open_thanks(slug: str) -> ResponseReturnValue:
    """Thank someone who answered the website survey."""
    return render_template("consultations/public/thanks.html", consultation=_open_consultation(slug))
