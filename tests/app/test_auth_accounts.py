"""Staff account administration: roles, passwords, switching off, the last admin, audit and guards."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth import accounts
from app.auth.accounts import AccountError
from app.extensions import db
from app.models import AuditEvent, StaffUser, utcnow
from tests.conftest import PASSWORD, signed_in

MakeUser = Callable[..., StaffUser]


def _actions(user: StaffUser) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "staff_user", AuditEvent.target_id == str(user.id))
            .order_by(AuditEvent.id)
        )
    )


def _fresh(client: FlaskClient) -> FlaskClient:
    """Forget the user Flask-Login cached in g: the test's app context is shared by every request."""
    g.pop("_login_user", None)
    return client


def _opens_home(client: FlaskClient) -> bool:
    return _fresh(client).get("/").status_code == 200


def test_changing_a_role_ends_the_users_sessions_and_is_audited(app: Flask, make_user: MakeUser) -> None:
    admin, user = make_user("admin"), make_user("staff")
    client = signed_in(app, user)
    assert _opens_home(client)
    assert accounts.change_role(user, "manager", actor=admin, now=utcnow())
    db.session.commit()
    assert user.role == "manager" and not _opens_home(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.role"))
    assert event is not None and event.actor_email == admin.email
    assert event.detail == {"email": user.email, "from": "staff", "to": "manager"}
    # The same role again changes nothing and writes nothing.
    assert not accounts.change_role(user, "manager", actor=admin, now=utcnow())
    assert _actions(user) == ["staff.role"]


def test_an_unknown_role_is_refused(app: Flask, make_user: MakeUser) -> None:
    admin, user = make_user("admin"), make_user("staff")
    with pytest.raises(AccountError, match="Choose a role"):
        accounts.change_role(user, "superuser", actor=admin, now=utcnow())
    assert user.role == "staff"


def test_the_last_active_admin_cannot_be_demoted_or_switched_off(app: Flask, make_user: MakeUser) -> None:
    only = make_user("admin")
    other = make_user("admin")
    accounts.set_active(other, False, actor=only, now=utcnow())
    db.session.commit()
    # "other" is switched off, so "only" is the last active admin; acting on them is refused
    # even by the (switched-off) second admin's account in a command or test.
    with pytest.raises(AccountError, match="last active admin"):
        accounts.change_role(only, "staff", actor=other, now=utcnow())
    with pytest.raises(AccountError, match="last active admin"):
        accounts.set_active(only, False, actor=other, now=utcnow())
    assert only.role == "admin" and only.active
    # With a second active admin, demoting one is fine.
    accounts.set_active(other, True, actor=only, now=utcnow())
    assert accounts.change_role(only, "manager", actor=other, now=utcnow())


def test_admins_cannot_demote_or_switch_off_themselves(app: Flask, make_user: MakeUser) -> None:
    me, _other = make_user("admin"), make_user("admin")
    with pytest.raises(AccountError, match="your own account"):
        accounts.change_role(me, "staff", actor=me, now=utcnow())
    with pytest.raises(AccountError, match="your own account"):
        accounts.set_active(me, False, actor=me, now=utcnow())
    assert me.role == "admin" and me.active


def test_a_temporary_password_replaces_the_old_one_and_ends_sessions(app: Flask, make_user: MakeUser) -> None:
    admin, user = make_user("admin"), make_user("staff")
    client = signed_in(app, user)
    with pytest.raises(AccountError, match="at least 8"):
        accounts.set_temporary_password(user, "short", actor=admin, now=utcnow())
    accounts.set_temporary_password(user, "a new temporary pass", actor=admin, now=utcnow())
    db.session.commit()
    assert user.check_password("a new temporary pass") and not user.check_password(PASSWORD)
    assert not _opens_home(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.password_reset"))
    assert event is not None and event.detail["method"] == "temporary password"
    assert "a new temporary pass" not in str(event.detail)


def test_switching_off_and_on_ends_sessions_each_time(app: Flask, make_user: MakeUser) -> None:
    admin, user = make_user("admin"), make_user("staff")
    client = signed_in(app, user)
    assert accounts.set_active(user, False, actor=admin, now=utcnow())
    db.session.commit()
    assert not _opens_home(client)
    assert accounts.set_active(user, True, actor=admin, now=utcnow())
    db.session.commit()
    assert not _opens_home(client)  # an old cookie does not come back to life
    assert not accounts.set_active(user, True, actor=admin, now=utcnow())
    assert _actions(user) == ["staff.disable", "staff.enable"]


def test_the_staff_page_changes_a_role(app: Flask, admin_client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user("staff")
    page = admin_client.get(f"/customers/staff/{user.id}")
    assert page.status_code == 200 and "Change role" in page.get_data(as_text=True)
    response = admin_client.post(f"/customers/staff/{user.id}/role", data={"role": "admin"})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.role == "admin"
    assert "staff.role" in admin_client.get(f"/customers/staff/{user.id}").get_data(as_text=True)
    bad = admin_client.post(f"/customers/staff/{user.id}/role", data={"role": "owner"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)


def test_the_staff_page_refuses_demoting_yourself_with_a_message(app: Flask, make_user: MakeUser) -> None:
    me = make_user("admin")
    client = signed_in(app, me)
    response = client.post(f"/customers/staff/{me.id}/role", data={"role": "staff"}, follow_redirects=True)
    assert "You cannot demote your own account" in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.role == "admin"


def test_the_staff_page_sets_a_temporary_password(
    app: Flask, admin_client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user("staff")
    mismatch = admin_client.post(
        f"/customers/staff/{user.id}/password", data={"password": "long enough", "confirm": "different"}
    )
    assert mismatch.status_code == 422 and "do not match" in mismatch.get_data(as_text=True)
    short = admin_client.post(
        f"/customers/staff/{user.id}/password", data={"password": "abc", "confirm": "abc"}
    )
    assert short.status_code == 422 and "at least 8" in short.get_data(as_text=True)
    ok = admin_client.post(
        f"/customers/staff/{user.id}/password", data={"password": "long enough", "confirm": "long enough"}
    )
    assert ok.status_code == 303
    db.session.refresh(user)
    assert user.check_password("long enough")


def test_the_staff_page_emails_a_reset_link(
    app: Flask, admin_client: FlaskClient, make_user: MakeUser
) -> None:
    from messaging.api import DevEmail, OutboundMessage

    user = make_user("staff")
    assert admin_client.post(f"/customers/staff/{user.id}/reset-link").status_code == 303
    sent = db.session.scalar(select(OutboundMessage).where(OutboundMessage.to_address == user.email))
    assert sent is not None and sent.status == "delivered" and "/reset-password/" not in sent.body
    raw = db.session.scalar(select(DevEmail.raw).where(DevEmail.outbound_id == sent.id))
    assert raw is not None and re.search(r"http://involve\.test/reset-password/[\w.-]+", raw)
    assert "staff.reset_link_sent" in _actions(user)


def test_admins_see_the_staff_menu_others_do_not(
    admin_client: FlaskClient, manager_client: FlaskClient, staff_client: FlaskClient
) -> None:
    assert '<a href="/customers/staff" >Staff logins</a>' in _fresh(admin_client).get("/").get_data(
        as_text=True
    )
    for client in (manager_client, staff_client):
        assert "Staff logins" not in _fresh(client).get("/").get_data(as_text=True)


ADMIN_PAGES = [
    ("get", "/customers/staff"),
    ("post", "/customers/staff"),
    ("get", "/customers/staff/{id}"),
    ("post", "/customers/staff/{id}/role"),
    ("post", "/customers/staff/{id}/password"),
    ("post", "/customers/staff/{id}/reset-link"),
    ("post", "/customers/staff/{id}/active"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES)
def test_admin_pages_need_an_admin(
    app: Flask, client: FlaskClient, make_user: MakeUser, method: str, path: str
) -> None:
    target = make_user("staff")
    make_user("admin", email="boss@involve.test")
    url = path.format(id=target.id)
    anonymous = getattr(_fresh(client), method)(url, data={"role": "admin"})
    assert anonymous.status_code == (303 if method == "post" else 302)
    assert "/login" in anonymous.headers["Location"]
    for role in ("staff", "manager"):
        response = getattr(_fresh(signed_in(app, make_user(role))), method)(url, data={"role": "admin"})
        assert response.status_code == 403
        body = response.get_data(as_text=True)
        assert "You cannot open this page" in body and "boss@involve.test" in body
    db.session.refresh(target)
    assert target.role == "staff" and target.active


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_account_changes_need_the_csrf_token(app: Flask, make_user: MakeUser) -> None:
    admin, user = make_user("admin"), make_user("staff")
    client = signed_in(app, admin)
    for path, data in (
        (f"/customers/staff/{user.id}/role", {"role": "admin"}),
        (f"/customers/staff/{user.id}/password", {"password": "long enough", "confirm": "long enough"}),
        (f"/customers/staff/{user.id}/active", {"active": "0"}),
        (f"/customers/staff/{user.id}/reset-link", {}),
    ):
        assert client.post(path, data=data).status_code == 400
    db.session.refresh(user)
    assert user.role == "staff" and user.active and user.check_password(PASSWORD)
    # With the page's token the same change goes through.
    page = client.get(f"/customers/staff/{user.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token is not None
    assert (
        client.post(
            f"/customers/staff/{user.id}/role", data={"role": "manager", "csrf_token": token.group(1)}
        ).status_code
        == 303
    )
    db.session.refresh(user)
    assert user.role == "manager"


def test_an_admin_setting_their_own_password_stays_signed_in_here_only(
    app: Flask, make_user: MakeUser
) -> None:
    me = make_user("admin")
    here, elsewhere = signed_in(app, me), signed_in(app, me)
    form = {"password": "my own new words", "confirm": "my own new words"}
    assert _fresh(here).post(f"/customers/staff/{me.id}/password", data=form).status_code == 303
    assert _opens_home(here) and not _opens_home(elsewhere)
