"""Probe: a wrong password costs the same hashing for an unknown email as for a real account."""

from __future__ import annotations

import pytest

import app.models.people as people
from app.auth.lockout import Limits
from app.auth.services import authenticate
from app.customers import set_staff_active
from app.extensions import db
from app.models import utcnow


def _count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = people.password_matches

    def counted(stored_hash: str, password: str) -> bool:
        calls.append(stored_hash)
        return real(stored_hash, password)

    monkeypatch.setattr(people, "password_matches", counted)
    return calls


def _try(email: str) -> tuple[object, str | None]:
    limits = Limits(per_pair=50, per_address=50, per_account=50, window_minutes=15)
    return authenticate(email, "wrong password", ip="192.0.2.1", now=utcnow(), limits=limits)


def test_unknown_email_does_the_same_hashing_as_a_known_one(app, make_user, monkeypatch) -> None:
    user = make_user("staff")
    calls = _count_hashing(monkeypatch)
    known = _try(user.email)
    known_calls = len(calls)
    unknown = _try("nobody@involve.test")
    assert known_calls == 1 and len(calls) == 2
    # The dummy hash is made the way real ones are, so each check costs the same.
    assert calls[1].split("$")[0] == calls[0].split("$")[0]
    assert known[1] == unknown[1] and known[0] is None and unknown[0] is None


def test_a_switched_off_account_still_pays_for_the_check(app, make_user, monkeypatch) -> None:
    admin, user = make_user("admin"), make_user("staff")
    set_staff_active(user, False, actor=admin, now=utcnow())
    db.session.commit()
    calls = _count_hashing(monkeypatch)
    result = _try(user.email)
    assert len(calls) == 1 and result[0] is None
