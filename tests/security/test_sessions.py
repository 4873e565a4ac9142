"""Probe: sessions end at logout, on switch-off and password change, when idle and at their lifetime."""

from __future__ import annotations

import pytest
from flask import g

from app.customers import set_staff_active
from app.extensions import db
from app.models import utcnow
from tests.conftest import PASSWORD


def _get(client, path: str = "/"):
    """GET as a fresh request: the test's shared app context would otherwise keep the last user in g."""
    g.pop("_login_user", None)
    return client.get(path)


def _sign_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    assert _get(client).status_code == 200
    return client


def _copy(app, client):
    """Return a second client holding a copy of ``client``'s session cookie (a stolen cookie)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _shut_out(client) -> bool:
    response = _get(client)
    return response.status_code in (302, 401) and "/login" in response.headers.get("Location", "/login")


def test_a_cookie_copied_before_logout_no_longer_opens_staff_pages(app, make_user) -> None:
    user = make_user("staff")
    client = _sign_in(app, user)
    thief = _copy(app, client)
    assert _get(thief).status_code == 200  # the copy works while the session is live
    assert client.post("/logout").status_code == 303
    assert _shut_out(client)
    assert _shut_out(thief)
    # Signing in again gives a new, working session; the old copy stays dead.
    fresh = _sign_in(app, user)
    assert _get(fresh).status_code == 200 and _shut_out(thief)


def test_switching_a_user_off_ends_their_sessions_for_good(app, make_user) -> None:
    admin, user = make_user("admin"), make_user("staff")
    client = _sign_in(app, user)
    thief = _copy(app, client)
    set_staff_active(user, False, actor=admin, now=utcnow())
    db.session.commit()
    assert _shut_out(client)
    set_staff_active(user, True, actor=admin, now=utcnow())
    db.session.commit()
    assert _shut_out(thief)  # switching back on does not revive old cookies


def test_a_password_change_ends_other_sessions(app, make_user) -> None:
    user = make_user("staff")
    client = _sign_in(app, user)
    user.set_password("a-new-password-2011")
    db.session.commit()
    assert _shut_out(client)


@pytest.mark.parametrize("key", ["_seen", "_since"])
def test_idle_and_absolute_limits(app, make_user, key) -> None:
    user = make_user("staff")
    client = _sign_in(app, user)
    limit = (
        app.config["SESSION_IDLE_MINUTES"] * 60 if key == "_seen" else app.config["SESSION_MAX_HOURS"] * 3600
    )
    with client.session_transaction() as sess:
        sess[key] = int(utcnow().timestamp() - limit + 120)
    assert _get(client).status_code == 200  # still inside the limit
    with client.session_transaction() as sess:
        sess[key] = int(utcnow().timestamp() - limit - 5)
        if key == "_since":
            sess["_seen"] = int(utcnow().timestamp())  # busy all along, yet past the lifetime
    assert _shut_out(client)


def test_a_session_without_stamps_is_refused(app, make_user) -> None:
    user = make_user("staff")
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = str(user.id), True  # an old-style cookie, unversioned
    assert _shut_out(client)


def test_defaults(app) -> None:
    assert app.config["SESSION_IDLE_MINUTES"] == 480
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == app.config["SESSION_MAX_HOURS"] * 3600
