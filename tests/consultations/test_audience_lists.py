"""Audiences read the landlord's lists: synonyms, renamed and retired values, and the order staff see."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.vocabulary import services
from consultations.audience_lists import unlisted_errors
from consultations.audiences import AudienceSpec, count_audience, plan_audience
from consultations.surveys.models import Consultation
from tests.consultations import factories as f

NOW = datetime(2011, 6, 1, 10, tzinfo=UTC)


def test_a_synonym_in_an_audience_reaches_customers_holding_the_listed_value(app: Flask) -> None:
    asian = f.sms_customer("+447911123601", ethnicity="Asian or Asian British")
    f.sms_customer("+447911123602", ethnicity="White")
    db.session.commit()
    spec = AudienceSpec.from_json({"ethnicities": ["asian british"]})
    assert [r.customer_id for r in plan_audience(spec, ["sms"]).recipients] == [asian.id]
    assert unlisted_errors(spec) == []


def test_an_audience_saved_before_a_retirement_reaches_the_value_its_customers_moved_to(app: Flask) -> None:
    f.sms_customer("+447911123611", tenure="Leaseholder")
    f.sms_customer("+447911123612", tenure="Shared ownership")
    f.sms_customer("+447911123613", tenure="General needs")
    db.session.commit()
    saved = AudienceSpec.from_json({"tenures": ["Leaseholder"]})
    assert count_audience(saved, ["sms"]).by_channel == {"sms": 1}
    services.retire_value("tenure", "Leaseholder", "Shared ownership", actor=None, now=NOW)
    db.session.commit()
    assert count_audience(saved, ["sms"]).by_channel == {"sms": 2}


def test_unlisted_filter_values_are_named_with_the_allowed_ones(app: Flask) -> None:
    spec = AudienceSpec.from_json({"tenures": ["Council flat"], "genders": ["Robot", "female"]})
    errors = unlisted_errors(spec)
    assert errors == [
        "'Council flat' is not on the landlord's list of tenures; use one of: General needs, Affordable rent, "
        "Supported housing, Shared ownership, Leaseholder.",
        "'Robot' is not on the landlord's list of genders; use one of: Female, Male, Non-binary, Prefer not to say.",
    ]
    assert [e.field for e in errors] == ["tenures", "genders"]


def _consultation(client: FlaskClient) -> Consultation:
    created = client.post(
        "/consultations/new",
        data={
            "title": "Bins",
            "slug": "bins",
            "activity": "Bin survey",
            "new_activity": "on",
            "channels": ["sms"],
            "preference": "sms",
            "intro": "Hi {first_name}",
            "thanks": "Ta",
            "minutes_per_response": "3",
        },
    )
    assert created.status_code == 303
    return db.session.scalars(select(Consultation)).one()


def test_the_audience_page_offers_each_list_in_the_landlords_order(
    app: Flask, staff_client: FlaskClient
) -> None:
    f.area("Erewash")
    f.area("Derby")
    f.sms_customer("+447911123621", tenure="Leaseholder", age_band="75+")
    f.sms_customer("+447911123622", tenure="General needs", age_band="16-24")
    db.session.commit()
    services.move_value("tenure", "Leaseholder", -1, actor=None, now=NOW)
    services.move_value("area", "Erewash", -1, actor=None, now=NOW)
    db.session.commit()
    consultation = _consultation(staff_client)
    path = f"/consultations/{consultation.id}/audience"
    page = staff_client.get(path).get_data(as_text=True)
    tenures = [
        page.index(f'name="tenures" value="{t}"')
        for t in ("General needs", "Affordable rent", "Supported housing", "Leaseholder", "Shared ownership")
    ]
    assert tenures == sorted(tenures)
    assert page.index('value="Erewash"') < page.index('value="Derby"')
    ages = [
        page.index(f'name="age_bands" value="{a}"') for a in ("16-24", "25-34", "75+", "Prefer not to say")
    ]
    assert ages == sorted(ages)
    assert 'name="ethnicities" value="Black, Black British, Caribbean or African"' in page
    saved = staff_client.post(path, data={"age_bands": ["75+"], "consented_only": "on"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert consultation.audience["age_bands"] == ["75+"]
    refused = staff_client.post(path, data={"genders": ["Robot"], "consented_only": "on"})
    assert refused.status_code == 422
    assert "&#39;Robot&#39; is not on the landlord&#39;s list of genders" in refused.get_data(as_text=True)
