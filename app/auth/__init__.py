"""Staff sign-in, roles and the guard every staff route wears."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire Flask-Login and register the sign-in views."""
    from app.auth import models  # noqa: F401  (register the table)
    from app.auth.views import bp
    from app.extensions import db, login
    from app.models import StaffUser

    login.login_view = "auth.login"
    login.login_message = "Please sign in to continue."
    login.login_message_category = "info"

    @login.user_loader
    def load_user(user_id: str) -> StaffUser | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(StaffUser, int(user_id))
        # A login switched off by an admin ends its open sessions too, not just future sign-ins.
        return user if user is not None and user.active else None

    app.register_blueprint(bp)
