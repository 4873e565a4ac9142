"""Forgotten-password pages: ask for a link, then choose a new password through it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from app.auth.accounts import PASSWORD_MAX, PASSWORD_MIN, AccountError
from app.auth.reset import ResetLinkError, check_token, complete_reset, email_sender, prepare_reset
from app.extensions import db
from app.models import utcnow
from app.ratelimit import limiter

bp = Blueprint("password", __name__)
# The link's token is in the address: keep the page out of every cache.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class ForgotForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Choose a password."),
            Length(min=PASSWORD_MIN, message=f"Use at least {PASSWORD_MIN} characters."),
            Length(max=PASSWORD_MAX, message=f"Use at most {PASSWORD_MAX:,} characters."),
        ],
    )
    confirm = PasswordField(
        "Repeat the new password", validators=[EqualTo("password", message="The passwords do not match.")]
    )


def _setting(name: str) -> Any:
    return lambda: str(current_app.config[name])


def _email_key() -> str:
    # Per address asked about, whoever asks: one inbox cannot be flooded from many machines.
    return "reset-email:" + (request.form.get("email") or "").strip().lower()[:254]


def _send_after_response(app: Flask, email: str, now: datetime) -> None:
    """Look the address up, write and send the email, after the answer has gone (same answer, same time)."""
    config = app.config
    with app.app_context():
        try:
            message = prepare_reset(
                email,
                secret=config["SECRET_KEY"],
                now=now,
                minutes=float(config["PASSWORD_RESET_MINUTES"]),
                base_url=config["PUBLIC_BASE_URL"],
                organisation=config.get("ORGANISATION_NAME", ""),
            )
            db.session.commit()
            sender = email_sender(app)
            if message is not None and sender is not None:
                sender(message.to, message.subject, message.body, now)
        except Exception:
            db.session.rollback()
            app.logger.exception("could not send a password reset email")
        finally:
            db.session.remove()


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_setting("PASSWORD_RESET_LIMIT"), key_func=get_remote_address, methods=["POST"])
@limiter.limit(_setting("PASSWORD_RESET_EMAIL_LIMIT"), key_func=_email_key, methods=["POST"])
def forgot() -> ResponseReturnValue:
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        email, now = form.email.data or "", utcnow()
        response = current_app.make_response(
            render_template("auth/forgot_sent.html", minutes=app.config["PASSWORD_RESET_MINUTES"])
        )
        response.call_on_close(lambda: _send_after_response(app, email, now))
        return response
    return render_template("auth/forgot.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_setting("PUBLIC_POST_LIMIT"), key_func=get_remote_address, methods=["POST"])
def reset(token: str) -> ResponseReturnValue:
    """Choose a new password through an emailed link; every session of the account ends."""
    config, now = current_app.config, utcnow()
    minutes = float(config["PASSWORD_RESET_MINUTES"])
    token = token[:1000]  # a real link is under 200 characters; a longer one is garbled anyway
    try:
        check_token(token, secret=config["SECRET_KEY"], now=now, minutes=minutes)
    except ResetLinkError as exc:
        page = render_template("auth/reset_invalid.html", reason=exc.reason, message=str(exc))
        return page, 400, NO_STORE
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            complete_reset(
                token, form.password.data or "", secret=config["SECRET_KEY"], now=now, minutes=minutes
            )
        except (AccountError, ResetLinkError) as exc:
            db.session.rollback()
            form.password.errors = [*form.password.errors, str(exc)]
        else:
            db.session.commit()
            flash(
                "Your password is changed and every other session has ended. Sign in with it now.", "success"
            )
            return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form, token=token), status, NO_STORE
