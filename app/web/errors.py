"""Error pages and security headers for every response."""

from __future__ import annotations

from flask import Flask, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


FRIENDLY = {
    413: (
        "That was too large",
        "What you sent was larger than this page accepts. Nothing was saved; try a smaller file.",
    ),
}


def _forbidden() -> ResponseReturnValue:
    """Say that the page needs another role and who can grant it."""
    from sqlalchemy import select

    from app.models import StaffUser

    admins = db.session.scalars(
        select(StaffUser)
        .where(StaffUser.role == "admin", StaffUser.active.is_(True))
        .order_by(StaffUser.email)
    ).all()
    return render_template("error_403.html", admins=admins)


# The headers every response carries (HSTS too over HTTPS), pages and webhooks alike.
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    ),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def init_app(app: Flask) -> None:
    """Register error handlers and the headers every response carries."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        return render_template(
            "error.html",
            code=400,
            title="The form expired",
            message=(
                "This form was open too long or came from somewhere else. Go back, reload the "
                "page and try again; nothing was saved."
            ),
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        if _wants_json():
            return {"error": exc.name, "message": exc.description}, exc.code or 500
        code = exc.code or 500
        if code == 403:
            return _forbidden(), 403
        title, message = FRIENDLY.get(code, (exc.name, exc.description))
        if code == 413 and exc.description and "Nothing was saved" in exc.description:
            message = exc.description
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> ResponseReturnValue:
        if isinstance(exc, HTTPException):
            return http_error(exc)
        db.session.rollback()
        app.logger.exception("unhandled error on %s", request.path)
        return render_template(
            "error.html",
            code=500,
            title="Something went wrong",
            message="The error has been logged. Nothing you entered was half-saved.",
        ), 500

    @app.before_request
    def refuse_nul_bytes() -> ResponseReturnValue | None:
        # PostgreSQL cannot store or even compare text holding NUL, so such input would fail
        # deep inside a query; no form or link of ours ever sends one. Twilio's webhooks clean
        # their own fields, so a text is never refused over it. Links with NUL in their path
        # are left to the pages, which answer "not found".
        if request.path.startswith("/messaging/twilio/"):
            return None
        if any(
            "\x00" in key or "\x00" in value
            for source in (request.args, request.form)
            for key, value in source.items(multi=True)
        ):
            abort(
                400,
                description="The request held a character that cannot be stored (a NUL byte). Nothing was saved.",
            )
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS:
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault(*HSTS)
        return response
