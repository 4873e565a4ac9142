"""Audiences: filters, consent, opt-outs, suppression and one channel per customer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from app.extensions import db
from consultations.audience_lists import unknown_areas
from consultations.audiences import AudienceError, AudienceSpec, count_audience, plan_audience
from messaging.models import Suppression
from tests.consultations import factories as f

NOW = datetime(2011, 6, 1, 10, tzinfo=UTC)


@pytest.fixture
def register(app: Flask) -> dict[str, int]:
    derby, leics = f.area("Derby"), f.area("Leicester")
    both = f.customer(
        phone="+447700100001",
        email="both@example.org",
        sms_consent=True,
        email_consent=True,
        area_id=derby.id,
        tenure="general needs",
        ref="R-BOTH",
    )
    sms = f.sms_customer("+447700100002", area_id=derby.id, tenure="leasehold", involvement_register=True)
    email = f.email_customer("Mail@Example.org", area_id=leics.id, tenure="general needs")
    f.customer(phone="+447700100004", sms_consent=False, area_id=derby.id)  # no consent
    f.customer(area_id=derby.id)  # no contact
    f.sms_customer("+447700100006", area_id=derby.id, sms_opted_out_at=NOW)  # opted out
    f.sms_customer("+447700100007", area_id=derby.id)  # suppressed below
    f.sms_customer("+447700100008", area_id=derby.id, erased_at=NOW)  # erased: never counted
    db.session.add(Suppression(channel="sms", address="+447700100007", reason="stop"))
    db.session.commit()
    return {"both": both.id, "sms": sms.id, "email": email.id}


def test_plan_takes_each_customer_once_by_preference(register: dict[str, int]) -> None:
    plan = plan_audience(AudienceSpec(), ["sms", "email"], ["email", "sms"])
    by_customer = {r.customer_id: r for r in plan.recipients}
    assert by_customer[register["both"]].channel == "email"
    assert by_customer[register["sms"]].channel == "sms"
    assert by_customer[register["email"]].address == "Mail@Example.org"
    assert len(plan.recipients) == 3
    assert plan.by_channel == {"email": 2, "sms": 1}
    assert plan.skipped == {
        "no_contact": 1,
        "landline": 0,
        "no_consent": 1,
        "opted_out": 1,
        "suppressed": 1,
        "unknown_ref": 0,
    }

    sms_first = plan_audience(AudienceSpec(), ["sms", "email"], ["sms", "email"])
    assert {r.customer_id: r.channel for r in sms_first.recipients}[register["both"]] == "sms"


def test_count_matches_plan(register: dict[str, int]) -> None:
    spec = AudienceSpec(areas=("derby",))
    counted = count_audience(spec, ["sms", "email"], ["sms"])
    planned = plan_audience(spec, ["sms", "email"], ["sms"])
    assert counted.by_channel == planned.by_channel == {"sms": 2, "email": 0}
    assert counted.skipped == planned.skipped
    assert counted.recipients == []


def test_filters_tenure_register_and_refs(register: dict[str, int]) -> None:
    tenure = plan_audience(AudienceSpec(tenures=("General Needs",)), ["sms", "email"], ["sms"])
    assert {r.customer_id for r in tenure.recipients} == {register["both"], register["email"]}
    listed = plan_audience(AudienceSpec(customer_refs=("R-BOTH", "NOPE")), ["email"], ["email"])
    assert [r.customer_id for r in listed.recipients] == [register["both"]]
    assert listed.skipped["unknown_ref"] == 1
    involved = plan_audience(AudienceSpec(involvement_register=True), ["sms"], ["sms"])
    assert [r.customer_id for r in involved.recipients] == [register["sms"]]


def test_consent_can_be_waived_but_opt_outs_cannot(register: dict[str, int]) -> None:
    plan = plan_audience(AudienceSpec(consented_only=False), ["sms"], ["sms"])
    assert plan.by_channel["sms"] == 3
    assert plan.skipped["opted_out"] == 1 and plan.skipped["suppressed"] == 1


def test_suppressed_email_is_matched_case_blind(register: dict[str, int]) -> None:
    db.session.add(Suppression(channel="email", address="mail@example.org", reason="unsubscribe"))
    db.session.commit()
    plan = plan_audience(AudienceSpec(), ["email"], ["email"])
    assert register["email"] not in {r.customer_id for r in plan.recipients}
    assert plan.skipped["suppressed"] == 1


def test_many_listed_refs_are_read_in_chunks(app: Flask) -> None:
    refs = []
    for n in range(2100):
        refs.append(f.customer(ref=f"BULK{n}", phone=f"+447911{n:06d}", sms_consent=True).ref)
    db.session.commit()
    spec = AudienceSpec(customer_refs=(*refs, "MISSING"))
    assert count_audience(spec, ["sms"], ["sms"]).by_channel == {"sms": 2100}
    assert len(plan_audience(spec, ["sms"], ["sms"]).recipients) == 2100


def test_spec_json_round_trip_and_errors(app: Flask) -> None:
    spec = AudienceSpec.from_json(
        {"areas": ["Derby"], "customer_refs": "A1, A2\nA1", "consented_only": False}
    )
    assert spec.customer_refs == ("A1", "A2")
    assert AudienceSpec.from_json(spec.to_json()) == spec
    assert AudienceSpec.from_json({}) == AudienceSpec()
    with pytest.raises(AudienceError, match=r"audience\.areas"):
        AudienceSpec.from_json({"areas": [1]})
    with pytest.raises(AudienceError, match="colour"):
        AudienceSpec.from_json({"colour": "red"})
    with pytest.raises(AudienceError, match="consented_only"):
        AudienceSpec.from_json({"consented_only": "yes"})
    f.area("Derby")
    assert unknown_areas(AudienceSpec(areas=("derby", "Atlantis"))) == ["Atlantis"]


def test_profile_filters_combine_with_area_and_each_other(app: Flask) -> None:
    young = f.sms_customer("+447911123501", age_band="25-34", disability="Yes", language="Polish")
    f.sms_customer("+447911123502", age_band="25-34", disability="No", language="Polish")
    f.sms_customer("+447911123503", age_band="65-74", disability="Yes", language="English")
    db.session.commit()
    spec = AudienceSpec.from_json({"age_bands": ["25-34", "16-24"], "disabilities": ["yes"]})
    assert [r.customer_id for r in plan_audience(spec, ["sms"]).recipients] == [young.id]
    assert count_audience(AudienceSpec.from_json({"languages": ["POLISH"]}), ["sms"]).by_channel == {"sms": 2}
    assert spec.to_json()["age_bands"] == ["25-34", "16-24"] and "genders" not in spec.to_json()
    assert "age bands: 25-34, 16-24" in spec.describe() and "disability: yes" in spec.describe()
    with pytest.raises(AudienceError, match="unknown field"):
        AudienceSpec.from_json({"ages": ["25-34"]})
