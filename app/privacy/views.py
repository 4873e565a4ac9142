"""Managers' privacy actions on a customer: subject access (page and JSON) and erasure."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Customer, Participation
from app.models.audit import record
from app.models.base import utcnow
from app.privacy.access import section_title, subject_access
from app.privacy.registry import places
from app.privacy.services import PrivacyError, erase_customer

bp = Blueprint("privacy", __name__, url_prefix="/customers")


def _exported(customer: Customer, fmt: str) -> dict[str, object]:
    now = utcnow()
    data = subject_access(customer, now)
    record(
        "customer.export",
        actor=current_user,
        target_type="customer",
        target_id=customer.id,
        detail={"format": fmt},
        now=now,
    )
    db.session.commit()
    return data


@bp.get("/<int:customer_id>/data")
@roles_required("manager")
def access_page(customer_id: int) -> ResponseReturnValue:
    """Show everything held about a customer, for a subject access request."""
    customer = db.get_or_404(Customer, customer_id)
    data = _exported(customer, "html")
    sections = [(key, section_title(key), rows) for key, rows in data.items() if isinstance(rows, list)]
    return render_template("privacy/access.html", customer=customer, data=data, sections=sections)


@bp.get("/<int:customer_id>/data.json")
@roles_required("manager")
def access_json(customer_id: int) -> ResponseReturnValue:
    """Download everything held about a customer as JSON."""
    customer = db.get_or_404(Customer, customer_id)
    body = json.dumps(_exported(customer, "json"), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="customer-{customer.id}-data.json"'},
    )


@bp.get("/<int:customer_id>/erase")
@roles_required("manager")
def confirm_erase(customer_id: int) -> ResponseReturnValue:
    """Count what erasure blanks in each place and what stays, and ask once."""
    customer = db.get_or_404(Customer, customer_id)
    # The export of each place is exactly the rows its eraser blanks; counting it changes nothing.
    held = [(section_title(place.name), len(place.export(customer))) for place in places()]
    kept = db.session.scalar(select(func.count()).where(Participation.customer_id == customer.id)) or 0
    return render_template("privacy/confirm_erase.html", customer=customer, held=held, kept=kept)


@bp.post("/<int:customer_id>/erase")
@roles_required("manager")
def erase(customer_id: int) -> ResponseReturnValue:
    """Erase a customer's personal data once the manager has confirmed on the page that counts it."""
    customer = db.get_or_404(Customer, customer_id)
    back = redirect(url_for("people.customer", customer_id=customer.id))
    if request.form.get("confirm") != "yes":
        return redirect(url_for("privacy.confirm_erase", customer_id=customer.id), 303)
    try:
        erase_customer(customer, actor=current_user, now=utcnow())
    except PrivacyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back
    db.session.commit()
    flash("The customer's personal data was erased; their participation still counts.", "success")
    return back
