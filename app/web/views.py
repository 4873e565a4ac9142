"""The staff home page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Activity, Customer

bp = Blueprint("web", __name__)


@bp.get("/")
@roles_required("staff")
def home() -> ResponseReturnValue:
    """Show the dashboard with register size and the channels in use."""
    counts = {
        "customers": db.session.scalar(select(func.count()).select_from(Customer)),
        "activities": db.session.scalar(select(func.count()).select_from(Activity)),
    }
    return render_template(
        "web/home.html", counts=counts, channels=current_app.extensions.get("involve_channels", {})
    )
