"""Staff pages for imports: upload a file, check its preview, import it in the background, see history."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import roles_required
from app.extensions import db
from app.imports.jobs import JobError, create_job, start_job
from app.imports.mappings import MappingError, save_mapping, saved_headers
from app.imports.preview import preview_file
from app.imports.service import KINDS
from app.models.base import utcnow
from app.models.imports import ImportJob
from app.web.paging import page_number, paginate
from app.web.uploads import UploadError, read_upload

bp = Blueprint("imports", __name__, url_prefix="/imports")
# Importing replaces register and ledger data in bulk, so it is for managers and admins.
ROLE = "manager"
PER_PAGE = 50


def _job(job_id: int) -> ImportJob:
    return db.get_or_404(ImportJob, job_id)


@bp.get("/")
@roles_required(ROLE)
def index() -> ResponseReturnValue:
    """Show the upload form, the columns of each kind and the latest imports."""
    recent = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(5)).all()
    return render_template("imports/index.html", kinds=KINDS, recent=recent, errors=[], chosen="")


@bp.post("/")
@roles_required(ROLE)
def upload() -> ResponseReturnValue:
    """Keep an uploaded file and show its preview; nothing is imported yet."""
    kind = request.form.get("kind", "")
    errors: list[str] = []
    if kind not in KINDS:
        errors.append("Choose what the file holds.")
    try:
        filename, content = read_upload("file")
    except UploadError as exc:
        errors.append(str(exc))
    if errors:
        return render_template("imports/index.html", kinds=KINDS, recent=[], errors=errors, chosen=kind), 422
    job = create_job(kind, filename, content, actor=current_user, now=utcnow())
    db.session.commit()
    return redirect(url_for("imports.show", job_id=job.id))


@bp.get("/<int:job_id>")
@roles_required(ROLE)
def show(job_id: int) -> ResponseReturnValue:
    """Show the preview of an uploaded file, the progress of its import, or what it did."""
    job = _job(job_id)
    preview = None
    if job.status == "uploaded":
        preview = preview_file(
            job.kind, job.filename, io.BytesIO(job.content or b""), saved_headers(job.kind)
        )
    return render_template("imports/job.html", job=job, preview=preview, spec=KINDS[job.kind].columns)


@bp.get("/<int:job_id>/status")
@roles_required(ROLE)
def status(job_id: int) -> ResponseReturnValue:
    """Return an import's progress for the page to refresh itself."""
    job = _job(job_id)
    return jsonify(
        status=job.status,
        stage=job.stage,
        rows_done=job.rows_done,
        rows_total=job.rows_total,
        finished=job.finished,
    )


@bp.post("/<int:job_id>/mapping")
@roles_required(ROLE)
def mapping(job_id: int) -> ResponseReturnValue:
    """Remember a header of this kind of file as one of our columns, then show the preview again."""
    job = _job(job_id)
    header, column = request.form.get("header", ""), request.form.get("column", "")
    try:
        key = save_mapping(
            job.kind, header, column, columns=KINDS[job.kind].columns.all, actor=current_user, now=utcnow()
        )
    except MappingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("imports.show", job_id=job.id))
    db.session.commit()
    if column:
        flash(f"From now on the header {key} in {job.kind} files is read as {column}.", "success")
    else:
        flash(f"The header {key} is no longer mapped.", "success")
    return redirect(url_for("imports.show", job_id=job.id))


@bp.post("/<int:job_id>/start")
@roles_required(ROLE)
def start(job_id: int) -> ResponseReturnValue:
    """Queue the whole file for import; the page then shows its progress."""
    job = _job(job_id)
    try:
        start_job(job, actor=current_user, now=utcnow())
    except JobError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("imports.show", job_id=job.id))
    db.session.commit()
    return redirect(url_for("imports.show", job_id=job.id))


@bp.get("/history")
@roles_required(ROLE)
def history() -> ResponseReturnValue:
    """List every import: who, which file, when, the kind, rows, what changed and problems."""
    kind = request.args.get("kind", "")
    query = select(ImportJob).order_by(ImportJob.id.desc())
    if kind:
        if kind not in KINDS:
            abort(404)
        query = query.where(ImportJob.kind == kind)
    page = paginate(query, page_number(request.args.get("page")), PER_PAGE)
    return render_template("imports/history.html", page=page, kinds=KINDS, kind=kind)
