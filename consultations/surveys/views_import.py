"""Staff page: load a file of responses collected on paper, by phone, door-step or by a contractor."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.auth.decorators import roles_required
from app.extensions import db
from app.imports.result import ImportRejected
from app.models.base import utcnow
from app.web.uploads import UploadError, read_upload
from consultations.surveys.blueprints import staff_bp as bp
from consultations.surveys.models import Consultation
from consultations.surveys.response_import import FIXED, load_responses

MAX_UPLOAD = 20 * 1024 * 1024


@bp.route("/<int:consultation_id>/import-responses", methods=["GET", "POST"])
@roles_required("staff")
def import_responses_page(consultation_id: int) -> ResponseReturnValue:
    """Show the expected columns; take a .csv or .xlsx file of responses, all or nothing."""
    consultation = db.get_or_404(Consultation, consultation_id)
    columns = [*FIXED, *(q.key for q in consultation.questions)]
    context = {"consultation": consultation, "columns": columns, "errors": []}
    if request.method == "GET":
        return render_template("consultations/import_responses.html", **context)
    try:
        filename, data = read_upload("file", limit=MAX_UPLOAD)
    except UploadError as exc:
        context["errors"] = [str(exc)]
        return render_template("consultations/import_responses.html", **context), 422
    try:
        loaded = load_responses(
            consultation, filename, data, now=utcnow(), actor=current_user, entered_by=current_user
        )
    except ImportRejected as exc:
        db.session.rollback()
        context["errors"] = exc.lines()
        return render_template("consultations/import_responses.html", **context), 422
    db.session.commit()
    flash(f"{loaded.responses} responses imported from {filename}.", "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id))
