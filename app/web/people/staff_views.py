"""Staff logins (admins only): list, create, change role, set a password or send a link, switch off and on."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.auth import accounts, sessions
from app.auth.accounts import AccountError
from app.auth.decorators import roles_required
from app.auth.reset import email_sender, link_email_for
from app.extensions import db
from app.models import AuditEvent, StaffUser, utcnow
from app.web.people.blueprint import bp
from app.web.people.forms import RoleForm, StaffUserForm, TemporaryPasswordForm


def _back(user: StaffUser) -> ResponseReturnValue:
    return redirect(url_for("people.staff_user", user_id=user.id))


def _refused(exc: AccountError, user: StaffUser) -> ResponseReturnValue:
    db.session.rollback()
    flash(str(exc), "error")
    return _back(user)


@bp.route("/staff", methods=["GET", "POST"])
@roles_required("admin")
def staff_users() -> ResponseReturnValue:
    """List staff logins and create new ones."""
    form = StaffUserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.create_account(
                form.email.data or "",
                form.role.data,
                form.password.data or "",
                form.name.data or "",
                actor=current_user,
                now=utcnow(),
            )
        except AccountError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc)]
            status = 422
        else:
            db.session.commit()
            flash(f"Created {user.role} login for {user.email}.", "success")
            return redirect(url_for("people.staff_users"))
    elif request.method == "POST":
        status = 422
    return render_template("people/staff_users.html", form=form, users=accounts.list_accounts()), status


def _user_page(user: StaffUser, status: int = 200, **forms: object) -> ResponseReturnValue:
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "staff_user", AuditEvent.target_id == str(user.id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(20)
    ).all()
    context = {"role_form": RoleForm(role=user.role), "password_form": TemporaryPasswordForm(), **forms}
    return render_template("people/staff_user.html", user=user, history=history, **context), status


@bp.get("/staff/<int:user_id>")
@roles_required("admin")
def staff_user(user_id: int) -> ResponseReturnValue:
    """Show one staff login with its role, password and on/off controls and recent changes."""
    return _user_page(db.get_or_404(StaffUser, user_id))


@bp.post("/staff/<int:user_id>/role")
@roles_required("admin")
def staff_role(user_id: int) -> ResponseReturnValue:
    """Change a login's role; their open sessions end."""
    user = db.get_or_404(StaffUser, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, 422, role_form=form)
    try:
        changed = accounts.change_role(user, form.role.data, actor=current_user, now=utcnow())
    except AccountError as exc:
        return _refused(exc, user)
    db.session.commit()
    flash(f"{user.email} is now {user.role}." if changed else "The role was already that.", "success")
    return _back(user)


@bp.post("/staff/<int:user_id>/password")
@roles_required("admin")
def staff_password(user_id: int) -> ResponseReturnValue:
    """Set a temporary password to pass on by hand; their open sessions end."""
    user = db.get_or_404(StaffUser, user_id)
    form = TemporaryPasswordForm()
    if not form.validate_on_submit():
        return _user_page(user, 422, password_form=form)
    try:
        accounts.set_temporary_password(user, form.password.data or "", actor=current_user, now=utcnow())
    except AccountError as exc:
        return _refused(exc, user)
    db.session.commit()
    if user.id == current_user.id:
        # Your own other sessions end; this one carries on under the new version.
        sessions.start(session, user, now=utcnow())
    flash(f"Set a temporary password for {user.email}. Pass it on in person or by phone.", "success")
    return _back(user)


@bp.post("/staff/<int:user_id>/reset-link")
@roles_required("admin")
def staff_reset_link(user_id: int) -> ResponseReturnValue:
    """Email the login a link to choose a new password."""
    user = db.get_or_404(StaffUser, user_id)
    sender = email_sender()
    if sender is None or not user.active:
        why = "the login is switched off" if sender else "email is not set up"
        flash(f"No email can be sent: {why}.", "error")
        return _back(user)
    config, now = current_app.config, utcnow()
    message = link_email_for(
        user,
        actor=current_user,
        secret=config["SECRET_KEY"],
        now=now,
        minutes=float(config["PASSWORD_RESET_MINUTES"]),
        base_url=config["PUBLIC_BASE_URL"],
        organisation=config.get("ORGANISATION_NAME", ""),
    )
    db.session.commit()
    sender(message.to, message.subject, message.body, now)
    flash(f"Emailed a password link to {user.email}.", "success")
    return _back(user)


@bp.post("/staff/<int:user_id>/active")
@roles_required("admin")
def staff_active(user_id: int) -> ResponseReturnValue:
    """Switch a staff login on or off."""
    user = db.get_or_404(StaffUser, user_id)
    try:
        accounts.set_active(user, request.form.get("active") == "1", actor=current_user, now=utcnow())
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("people.staff_users"))
    db.session.commit()
    flash(f"{user.email} is now {'active' if user.active else 'switched off'}.", "success")
    return redirect(url_for("people.staff_users"))
