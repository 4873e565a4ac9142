"""Audiences: not contacted in the last N days, every profile filter, and a sample stored at launch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from consultations.audiences import AudienceError, AudienceSpec, count_audience, plan_audience
from consultations.sampling import sample
from consultations.surveys.definitions import export_definition, import_definition
from consultations.surveys.launch import launch
from consultations.surveys.models import Consultation, Invitation
from tests.consultations import factories as f
from tests.consultations.helpers import NOW, definition, make_consultation


def _invite(customer_id: int, consultation: Consultation, when, *, is_test: bool = False) -> None:
    db.session.add(
        Invitation(
            consultation_id=consultation.id,
            customer_id=customer_id,
            channel="sms",
            address="+447911000000",
            last_sent_at=when,
            created_at=when,
            is_test=is_test,
        )
    )


def test_customers_invited_inside_the_window_are_left_out(app: Flask) -> None:
    recent = f.sms_customer("+447911123401").id
    old = f.sms_customer("+447911123402").id
    never = f.sms_customer("+447911123403").id
    trial = f.sms_customer("+447911123404").id
    other = make_consultation(slug="earlier")
    _invite(recent, other, NOW - timedelta(days=10))
    _invite(old, other, NOW - timedelta(days=40))
    _invite(trial, other, NOW - timedelta(days=1), is_test=True)  # a staff trial is not contact
    db.session.commit()
    spec = AudienceSpec.from_json({"not_contacted_days": 30})
    plan = plan_audience(spec, ["sms"], now=NOW)
    assert {r.customer_id for r in plan.recipients} == {old, never, trial}
    assert count_audience(spec, ["sms"], now=NOW).by_channel == {"sms": 3}
    # A longer window catches the older invitation too; without the filter everyone is in.
    assert count_audience(AudienceSpec(not_contacted_days=60), ["sms"], now=NOW).total == 2
    assert count_audience(AudienceSpec(), ["sms"], now=NOW).total == 4
    # A reminder inside the window counts as contact even when the invitation was written earlier.
    db.session.execute(
        Invitation.__table__.update()
        .where(Invitation.customer_id == old)
        .values(last_sent_at=NOW - timedelta(days=2))
    )
    assert count_audience(spec, ["sms"], now=NOW).total == 2
    # A consultation's own invitations never make its own audience "recently contacted".
    assert count_audience(spec, ["sms"], now=NOW, own=other.id).total == 4


def test_not_contacted_combines_with_every_profile_filter(app: Flask) -> None:
    derby = f.area("Derby")
    wanted = dict(
        area_id=derby.id, tenure="general needs", age_band="25-34", gender="Woman",
        ethnicity="White British", disability="Yes", language="Polish",
    )  # fmt: skip
    target = f.sms_customer("+447911123401", **wanted).id
    contacted = f.sms_customer("+447911123402", **wanted).id
    for change in ("tenure", "age_band", "gender", "ethnicity", "disability", "language"):
        f.sms_customer(f"+4479111235{len(change):02d}", **{**wanted, change: "other"})
    f.sms_customer("+447911123499", **{**wanted, "area_id": f.area("Belper").id})
    _invite(contacted, make_consultation(slug="earlier"), NOW - timedelta(days=3))
    db.session.commit()
    spec = AudienceSpec.from_json(
        {
            "areas": ["derby"], "tenures": ["General Needs"], "age_bands": ["25-34"], "genders": ["woman"],
            "ethnicities": ["White British"], "disabilities": ["yes"], "languages": ["polish"],
            "not_contacted_days": 7,
        }
    )  # fmt: skip
    assert [r.customer_id for r in plan_audience(spec, ["sms"], now=NOW).recipients] == [target]
    assert "not invited to a consultation in the last 7 days" in spec.describe()


@pytest.mark.parametrize(
    "audience, message",
    [
        ({"not_contacted_days": 0}, "audience.not_contacted_days must be a whole number of at least 1"),
        ({"not_contacted_days": "soon"}, "audience.not_contacted_days must be a whole number"),
        ({"sample": {"size": 0}}, "audience.sample.size must be a whole number of at least 1"),
        (
            {"sample": {"size": 5, "stratify": "gender"}},
            "audience.sample.stratify must be one of: area, tenure",
        ),
        ({"sample": {"size": 5, "colour": "red"}}, "audience.sample has unknown field(s): colour"),
        ({"sample": 5}, "audience.sample must be an object"),
    ],
)
def test_bad_contact_windows_and_samples_are_named(audience: dict, message: str) -> None:
    with pytest.raises(AudienceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AudienceSpec.from_json(audience)


def test_a_sample_without_a_seed_gets_one_that_is_stored_and_exported(app: Flask) -> None:
    consultation = make_consultation(audience={"sample": {"size": 3, "stratify": "area"}})
    stored = consultation.audience["sample"]
    assert stored["size"] == 3 and stored["stratify"] == "area" and isinstance(stored["seed"], int)
    exported = export_definition(consultation)["audience"]["sample"]
    assert exported == stored
    # Importing the export again keeps the seed, so the same sample is drawn.
    again, created = import_definition(
        {**definition(), "audience": export_definition(consultation)["audience"]}
    )
    assert not created and again.audience["sample"] == stored


def test_launch_invites_the_seeded_sample_and_stores_how_it_was_drawn(app: Flask) -> None:
    derby, belper = f.area("Derby"), f.area("Belper")
    people = [f.sms_customer(f"+4479111240{i:02d}", area_id=derby.id).id for i in range(30)]
    people += [f.sms_customer(f"+4479111250{i:02d}", area_id=belper.id).id for i in range(10)]
    f.customer(phone="+447911126000", area_id=derby.id)  # no consent: not in the population
    db.session.commit()
    audience = {"sample": {"size": 8, "seed": 83412, "stratify": "area"}}
    consultation = make_consultation(channels=["sms"], audience=audience)
    assert (
        consultation.sample_summary == "random sample of 8, stratified by area, seed 83412 (drawn at launch)"
    )
    expected = sample(people, 8, seed=83412, strata="area")
    counted = count_audience(AudienceSpec.from_json(audience), ["sms"], now=NOW)
    assert counted.total == 8 and counted.sample is not None
    assert counted.sample.customer_ids == expected.customer_ids
    result = launch(consultation, now=NOW)
    db.session.commit()
    assert result.invited == 8
    invited = list(
        db.session.scalars(
            select(Invitation.customer_id).where(Invitation.consultation_id == consultation.id)
        )
    )
    assert sorted(invited) == expected.customer_ids
    assert len(set(invited) & set(people[30:])) == 2  # Belper's share, in proportion
    assert consultation.sample_record == {
        "size": 8, "seed": 83412, "stratify": "area", "population": 40, "drawn": 8,
        "by_stratum": {"Belper": 2, "Derby": 6},
    }  # fmt: skip
    assert consultation.sample_summary == "random sample of 8 from 40, stratified by area, seed 83412"
    # The same seed over the same register draws the same people again: the sample can be checked.
    assert sample(people, 8, seed=83412, strata="area").customer_ids == expected.customer_ids
    assert sample(people, 8, seed=83413, strata="area").customer_ids != expected.customer_ids


def test_a_launch_without_a_sample_stores_none(app: Flask) -> None:
    f.sms_customer("+447911123401")
    db.session.commit()
    consultation = make_consultation(channels=["sms"])
    launch(consultation, now=NOW)
    db.session.commit()
    assert consultation.sample_record is None and consultation.sample_summary is None
