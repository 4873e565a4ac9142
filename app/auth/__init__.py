"""Staff sign-in, roles and the guard every staff route wears."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire Flask-Login and register the sign-in views."""
    from flask import session

    from app.auth import (
        models,  # noqa: F401  (register the table)
        reset_views,
        sessions,
    )
    from app.auth.views import bp
    from app.extensions import db, login
    from app.models import StaffUser, utcnow

    app.config.setdefault("SESSION_IDLE_MINUTES", 480)
    app.config.setdefault("SESSION_MAX_HOURS", 24)
    app.config.setdefault("PASSWORD_RESET_MINUTES", 60)
    app.config.setdefault("PASSWORD_RESET_LIMIT", "5 per 15 minutes; 20 per day")
    app.config.setdefault("PASSWORD_RESET_EMAIL_LIMIT", "3 per hour")
    # The browser drops the cookie at the same absolute lifetime the server enforces.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(app.config["SESSION_MAX_HOURS"]))
    login.login_view = "auth.login"
    login.login_message = "Please sign in to continue."
    login.login_message_category = "info"

    @login.user_loader
    def load_user(user_id: str) -> StaffUser | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(StaffUser, int(user_id))
        # A login switched off by an admin ends its open sessions too, not just future sign-ins.
        if user is None or not user.active:
            return None
        config = app.config
        ok = sessions.still_valid(
            session,
            user,
            now=utcnow(),
            idle_minutes=float(config["SESSION_IDLE_MINUTES"]),
            max_hours=float(config["SESSION_MAX_HOURS"]),
        )
        return user if ok else None

    app.register_blueprint(bp)
    app.register_blueprint(reset_views.bp)
