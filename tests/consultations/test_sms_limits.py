"""SMS length limits at launch and the preview's cost priced with the real audience's names."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask

from app.extensions import db
from consultations.surveys.launch import SurveyError, launch
from consultations.surveys.models import Invitation
from consultations.surveys.preview import build_preview
from tests.consultations import factories as f
from tests.consultations.helpers import NOW, make_consultation

PRICE = {"SMS_PRICE_PER_SEGMENT": "0.04"}


def test_a_body_over_1600_characters_is_refused_and_nothing_goes_out(app: Flask) -> None:
    f.sms_customer("+447911123401", first_name="Ann")
    consultation = make_consultation(channels=["sms"], intro="Hi {first_name}. " + "Please read this. " * 100)
    with pytest.raises(SurveyError, match="at most 1,600"):
        launch(consultation, now=NOW)
    db.session.rollback()
    assert db.session.query(Invitation).count() == 0
    assert "at most 1,600" in build_preview(consultation, PRICE).problems[0]


def test_more_than_ten_segments_is_refused(app: Flask) -> None:
    # 800 characters of UCS-2 is 12 segments though well under 1,600 characters.
    consultation = make_consultation(channels=["sms"], intro="Hi {first_name} ☺ " + "ok " * 260)
    with pytest.raises(SurveyError, match="at most 10"):
        launch(consultation, now=NOW)


def test_over_three_segments_warns_with_the_cost_difference(app: Flask) -> None:
    for n in range(10):
        f.sms_customer(f"+4479111234{n:02d}", first_name="Ann")
    consultation = make_consultation(channels=["sms"], intro="Hi {first_name}. " + "More words here. " * 30)
    preview = build_preview(consultation, PRICE)
    segments = preview.texts[0].segments
    assert segments > 3 and not preview.problems
    extra = (segments - 3) * 10 * Decimal("0.04")
    assert f"£{extra:.2f} more than 3-segment invitations" in preview.warnings[0]


def test_the_cost_counts_the_real_names(app: Flask) -> None:
    # 150 GSM characters with "Sam" fit one text; "Siân" or "Łukasz" switch to UCS-2 and need three.
    intro = "Hi {first_name}, " + "x" * 80
    f.sms_customer("+447911123401", first_name="Ann")
    f.sms_customer("+447911123402", first_name="Siân")
    f.sms_customer("+447911123403", first_name="Łukasz")
    consultation = make_consultation(channels=["sms"], intro=intro)
    preview = build_preview(consultation, PRICE)
    sam = preview.texts[0].segments
    from consultations.surveys.texts import opening_sms
    from messaging.sms_text import analyse

    real = sum(analyse(opening_sms(consultation, name)).segments for name in ("Ann", "Siân", "Łukasz"))
    assert real > 3 * sam  # the names cost more than three "Sam"s would
    assert preview.invitation_cost == (real * Decimal("0.04")).quantize(Decimal("0.01"))
