"""The builder's audience form: every profile filter, not contacted lately, a sample, counts and landlines."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models.base import utcnow
from consultations.surveys.launch import launch
from consultations.surveys.models import Consultation, Invitation
from tests.consultations import factories as f
from tests.consultations.helpers import make_consultation


def _register() -> None:
    derby = f.area("Derby")
    f.area("Belper")
    profile = dict(
        tenure="general needs", age_band="25-34", gender="Woman", ethnicity="Mixed", disability="Yes"
    )
    f.sms_customer("+447911123401", area_id=derby.id, language="Polish", **profile)
    f.sms_customer("+447911123402", area_id=derby.id, language="English", **profile)
    f.sms_customer("+441332123456", area_id=derby.id, phone_type="fixed_line", **profile)  # a landline
    f.sms_customer("+447911123404", area_id=derby.id, tenure="shared ownership", age_band="65+")
    db.session.commit()


def test_the_form_offers_every_filter_with_the_landlords_values(
    staff_client: FlaskClient, app: Flask
) -> None:
    _register()
    consultation = make_consultation(channels=["sms"])
    page = staff_client.get(f"/consultations/{consultation.id}/audience").get_data(as_text=True)
    for name, value in [
        ("areas", "Belper"), ("tenures", "Shared ownership"), ("age_bands", "75+"), ("genders", "Female"),
        ("ethnicities", "Mixed or multiple ethnic groups"), ("disabilities", "Yes"), ("languages", "Polish"),
    ]:  # fmt: skip
        assert f'name="{name}" value="{value}"' in page
    for field in ("not_contacted_days", "sample_size", "sample_stratify", "sample_seed"):
        assert f'name="{field}"' in page
    assert 'Landlines skipped (never texted): <strong data-field="landlines">1</strong>' in page
    assert '<strong data-field="total">3</strong>' in page


def test_count_recounts_without_saving_and_save_stores_the_audience(
    staff_client: FlaskClient, app: Flask
) -> None:
    _register()
    consultation = make_consultation(channels=["sms"])
    form = {"languages": "Polish", "consented_only": "on", "action": "count"}
    counted = staff_client.post(f"/consultations/{consultation.id}/audience", data=form)
    assert counted.status_code == 200 and '<strong data-field="total">1</strong>' in counted.get_data(
        as_text=True
    )
    assert db.session.get(Consultation, consultation.id).audience.get("languages") is None
    saved = {
        "genders": "Woman", "disabilities": "Yes", "consented_only": "on", "not_contacted_days": "30",
        "sample_size": "1", "sample_stratify": "tenure", "sample_seed": "83412", "action": "save",
    }  # fmt: skip
    assert staff_client.post(f"/consultations/{consultation.id}/audience", data=saved).status_code == 303
    audience = db.session.get(Consultation, consultation.id).audience
    assert audience["genders"] == ["Woman"] and audience["disabilities"] == ["Yes"]
    assert audience["not_contacted_days"] == 30
    assert audience["sample"] == {"size": 1, "seed": 83412, "stratify": "tenure"}
    page = staff_client.get(f"/consultations/{consultation.id}/audience").get_data(as_text=True)
    assert "Sample: random sample of 1 from 2, stratified by tenure, seed 83412." in page
    show = staff_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "random sample of 1, stratified by tenure, seed 83412 (drawn at launch)" in show


def test_a_bad_number_is_refused_by_name_and_nothing_is_saved(staff_client: FlaskClient, app: Flask) -> None:
    consultation = make_consultation(channels=["sms"], audience={"areas": []})
    before = dict(consultation.audience)
    bad = staff_client.post(
        f"/consultations/{consultation.id}/audience", data={"sample_size": "lots", "action": "save"}
    )
    assert bad.status_code == 422
    assert "audience.sample.size must be a whole number of at least 1" in bad.get_data(as_text=True)
    assert db.session.get(Consultation, consultation.id).audience == before


def test_the_live_count_answers_json(staff_client: FlaskClient, app: Flask) -> None:
    _register()
    consultation = make_consultation(channels=["sms"])
    earlier = make_consultation(slug="earlier")
    customer_id = db.session.scalar(db.text("select id from customers where phone = '+447911123401'"))
    db.session.add(
        Invitation(consultation_id=earlier.id, customer_id=customer_id, channel="sms",
                   address="+447911123401", last_sent_at=utcnow() - timedelta(days=2))
    )  # fmt: skip
    db.session.commit()
    url = f"/consultations/{consultation.id}/audience/count"
    data = {"consented_only": "on", "not_contacted_days": "7"}
    answer = staff_client.post(url, data=data)
    assert answer.status_code == 200
    assert answer.json["total"] == 2 and answer.json["landlines"] == 1 and answer.json["sample"] is None
    sampled = staff_client.post(url, data={**data, "sample_size": "1", "sample_seed": "5"}).json
    assert sampled["total"] == 1 and sampled["sample"] == "random sample of 1 from 2, seed 5"
    assert staff_client.post(url, data={"not_contacted_days": "-1"}).status_code == 422


def test_the_live_count_needs_a_signed_in_user(client: FlaskClient, app: Flask) -> None:
    consultation = make_consultation(channels=["sms"])
    assert client.post(f"/consultations/{consultation.id}/audience/count").status_code in (303, 401)


def test_the_show_page_explains_a_launched_sample(staff_client: FlaskClient, app: Flask) -> None:
    _register()
    consultation = make_consultation(
        channels=["sms"], audience={"sample": {"size": 2, "seed": 9, "stratify": "area"}}
    )
    launch(consultation, now=utcnow())
    db.session.commit()
    page = staff_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Audience: random sample of 2 from 3, stratified by area, seed 9." in page
