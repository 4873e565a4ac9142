"""Sign in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from app.auth import sessions
from app.auth.lockout import Limits
from app.auth.services import authenticate
from app.extensions import db
from app.models import utcnow

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    # No login has a longer address (the column holds 254), and sign-in attempts are stored.
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


def _safe_next(target: str | None) -> str:
    """Only follow a local ``next`` so sign-in cannot bounce people to other sites."""
    # Browsers read "/\\host" as "//host", so backslashes and control characters are refused too.
    target = target or ""
    unsafe = "\\" in target or any(ord(ch) < 32 for ch in target)
    if not unsafe and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form and sign staff in."""
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user, error = authenticate(
            form.email.data or "",
            form.password.data or "",
            ip=request.remote_addr or "",
            now=utcnow(),
            limits=Limits.from_config(current_app.config),
        )
        db.session.commit()
        if user:
            login_user(user)
            session.permanent = True
            sessions.start(session, user, now=utcnow())
            return redirect(_safe_next(request.args.get("next")))
        flash(error or "Sign-in failed.", "error")
        status = 429 if error and error.startswith("Too many") else 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out, ending every open session of this user (a copied cookie stops working too)."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    sessions.forget(session)
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
