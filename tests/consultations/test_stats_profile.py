"""The live page's profile of respondents against the audience hides cells under 5, like the report."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from consultations.surveys import stats
from consultations.surveys.launch import launch
from consultations.surveys.models import Consultation, Invitation
from consultations.surveys.webform import submit_invitation
from tests.consultations import factories as f
from tests.consultations.helpers import NOW, make_consultation

ANSWERS = {"q_reads": "0", "q_score": "4", "q_comments": ""}


def _launched_with_answers() -> Consultation:
    """Nine women (seven answer) and three men (two answer) invited by email; one man of 55-64."""
    for n in range(9):
        f.email_customer(f"w{n}@example.org", gender="Female", age_band="35-44")
    for n in range(3):
        f.email_customer(f"m{n}@example.org", gender="Male", age_band="55-64" if n == 0 else "35-44")
    consultation = make_consultation(channels=["email"])
    launch(consultation, now=NOW)
    invitations = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    for invitation in invitations[:7] + invitations[9:11]:
        outcome = submit_invitation(invitation, ANSWERS, now=NOW)
        assert outcome is not None and outcome.ok
    db.session.commit()
    return consultation


def test_profile_suppresses_counts_under_five(app: Flask) -> None:
    consultation = _launched_with_answers()
    table = stats.profile(consultation)
    gender = {row.value: row for row in table["gender"]}
    assert (gender["Female"].respondents, gender["Female"].audience) == (7, 9)
    assert gender["Female"].rate == Decimal("77.8")
    # Two of three men answered: both counts are under 5, so neither is shown, nor is a rate.
    assert (gender["Male"].respondents, gender["Male"].audience, gender["Male"].rate) == (None, None, None)
    ages = {row.value: row for row in table["age_band"]}
    assert (ages["35-44"].respondents, ages["35-44"].audience) == (8, 11)
    assert (ages["55-64"].respondents, ages["55-64"].audience) == (None, None)


def test_live_page_shows_small_cells_as_less_than_five(app: Flask, staff_client: FlaskClient) -> None:
    consultation = _launched_with_answers()
    page = staff_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    section = page[page.index('id="profile"') :]
    assert '<td>Female</td><td class="num">7</td><td class="num">9</td><td class="num">77.8%</td>' in section
    assert (
        '<td>Male</td><td class="num">&lt;5</td><td class="num">&lt;5</td><td class="num">—</td>' in section
    )
    assert "Counts under 5 are shown as &lt;5" in section
