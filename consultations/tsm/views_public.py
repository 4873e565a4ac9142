"""The residents' page of published TSM results: only what a manager published."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.extensions import db
from consultations.tsm.exports import NAMES
from consultations.tsm.models import TsmReport
from consultations.tsm.sampling import percent
from consultations.tsm.template import MEASURES

public_bp = Blueprint("tsm_public", __name__, template_folder="templates")


@public_bp.get("/residents/tsm")
def published() -> ResponseReturnValue:
    """Show the published tenant perception measures, newest period first, with how they were collected."""
    reports = db.session.scalars(
        select(TsmReport).where(TsmReport.published_at.is_not(None)).order_by(TsmReport.period_to.desc())
    ).all()
    return render_template(
        "tsm/public.html",
        published=[r.published for r in reports if r.published],
        names=NAMES,
        measures=MEASURES,
        percent=percent,
    )
