"""The TSM page's sample: drawn by the shared audience sampler within population, tenure and area."""

from __future__ import annotations

import html
import math
from collections import Counter

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Area, Customer
from consultations.sampling import sample
from consultations.surveys.launch import launch
from consultations.surveys.models import Consultation
from tests.consultations.helpers import NOW

POPULATION = {"General needs": "LCRA", "Affordable rent": "LCRA", "Shared ownership": "LCHO"}


def _strata() -> dict[int, str]:
    """Each TSM tenant's stratum, worked out here from the register (leaseholders are outside)."""
    areas = {a.id: a.name for a in db.session.scalars(select(Area))}
    return {
        c.id: f"{POPULATION[c.tenure]} · {c.tenure} · {areas[c.area_id]}"
        for c in db.session.scalars(select(Customer))
        if c.tenure in POPULATION
    }


def _draw(client, consultation: Consultation, size: str, seed: str = ""):  # type: ignore[no-untyped-def]
    return client.post(f"/tsm/{consultation.id}/sample", data={"size": size, "seed": seed})


def _refs(consultation: Consultation) -> list[str]:
    db.session.refresh(consultation)
    return list(consultation.audience.get("customer_refs", []))


def test_each_population_and_stratum_gets_its_share_of_the_sample(
    app: Flask, staff_client, tsm_survey, register
) -> None:
    consultation = tsm_survey()
    register(210)
    strata = _strata()
    drawn = _draw(staff_client, consultation, "50", "8812")
    assert drawn.status_code == 303 and drawn.location.endswith(f"/consultations/{consultation.id}/audience")
    refs = _refs(consultation)
    ref_of = {c.ref: c.id for c in db.session.scalars(select(Customer))}
    assert len(refs) == len(set(refs)) == 50
    assert all(ref_of[r] in strata for r in refs)  # no leaseholder is sampled
    on_register = Counter(strata.values())
    got = Counter(strata[ref_of[r]] for r in refs)
    for stratum, n in on_register.items():
        share = 50 * n / len(strata)
        assert math.floor(share) <= got[stratum] <= math.ceil(share), stratum
    assert {s.split(" · ")[0] for s in got} == {"LCRA", "LCHO"}
    record = consultation.sample_record
    assert record["seed"] == 8812 and record["drawn"] == 50 and record["population"] == len(strata)
    assert record["stratify"] == "population, tenure and area"
    assert record["register_by_stratum"] == dict(sorted(on_register.items()))
    assert record["by_stratum"] == {k: got[k] for k in sorted(on_register)}
    # One sampler: the audience sampler, given the same tenants, strata and seed, draws the same people.
    shared = sample(strata, 50, 8812, strata)
    assert sorted(refs) == sorted(r for r, cid in ref_of.items() if cid in set(shared.customer_ids))
    page = html.unescape(staff_client.get(f"/tsm/{consultation.id}").get_data(as_text=True))
    summary = f"random sample of 50 from {len(strata)}, stratified by population, tenure and area, seed 8812"
    assert summary in page
    assert (
        f"LCHO · Shared ownership · Belper</th><td>{on_register['LCHO · Shared ownership · Belper']}" in page
    )


def test_the_same_seed_draws_the_same_tenants_again(app: Flask, staff_client, tsm_survey, register) -> None:
    consultation = tsm_survey()
    register(150)
    _draw(staff_client, consultation, "40", "5")
    first = _refs(consultation)
    _draw(staff_client, consultation, "40", "5")
    assert _refs(consultation) == first
    _draw(staff_client, consultation, "40", "6")
    assert _refs(consultation) != first and len(_refs(consultation)) == 40
    # Without a seed one is chosen, stored and shown, so that draw can be repeated too.
    _draw(staff_client, consultation, "40")
    seed = consultation.sample_record["seed"]
    chosen = _refs(consultation)
    _draw(staff_client, consultation, "40", str(seed))
    assert _refs(consultation) == chosen


def test_a_sample_larger_than_the_populations_takes_every_tenant(
    app: Flask, staff_client, tsm_survey, register
) -> None:
    consultation = tsm_survey()
    register(30)
    strata = _strata()
    _draw(staff_client, consultation, "1,000", "3")
    assert len(_refs(consultation)) == len(strata)
    assert consultation.sample_record["by_stratum"] == dict(sorted(Counter(strata.values()).items()))


def test_bad_sizes_are_refused_plainly_and_change_nothing(
    app: Flask, staff_client, tsm_survey, register
) -> None:
    consultation = tsm_survey()
    register(30)
    before = dict(consultation.audience or {})
    for size, seed, message in (
        ("lots", "", "The sample size must be a whole number of at least 1"),
        ("0", "", "The sample size must be a whole number of at least 1"),
        ("", "", "Enter how many tenants to sample (at least 1)."),
        ("10", "-4", "The random seed must be a whole number of at least 0"),
    ):
        done = _draw(staff_client, consultation, size, seed)
        assert done.status_code == 303 and done.location.endswith(f"/tsm/{consultation.id}")
        page = html.unescape(staff_client.get(done.location).get_data(as_text=True))
        assert message in page
        db.session.refresh(consultation)
        assert dict(consultation.audience or {}) == before and consultation.sample_record is None


def test_launch_keeps_the_draw_on_record_and_then_refuses_another(
    app: Flask, staff_client, tsm_survey, register
) -> None:
    consultation = tsm_survey()
    register(60)
    _draw(staff_client, consultation, "20", "77")
    stored = dict(consultation.sample_record)
    launch(consultation, now=NOW)
    db.session.commit()
    assert consultation.sample_record == stored
    assert consultation.sample_summary == f"random sample of 20 from {stored['population']}, " + (
        "stratified by population, tenure and area, seed 77"
    )
    refused = _draw(staff_client, consultation, "20", "78")
    page = html.unescape(staff_client.get(refused.location).get_data(as_text=True))
    assert "This survey has been launched" in page
    db.session.refresh(consultation)
    assert consultation.sample_record == stored


def test_saving_the_same_audience_keeps_the_draw_and_changing_it_forgets_it(
    app: Flask, staff_client, tsm_survey, register
) -> None:
    consultation = tsm_survey()
    register(60)
    _draw(staff_client, consultation, "20", "9")
    refs = _refs(consultation)
    form = {"customer_refs": "\n".join(refs), "consented_only": "on"}
    assert staff_client.post(f"/consultations/{consultation.id}/audience", data=form).status_code == 303
    db.session.refresh(consultation)
    assert consultation.sample_record is not None and consultation.sample_record["seed"] == 9
    form["customer_refs"] = "\n".join(refs[1:])
    assert staff_client.post(f"/consultations/{consultation.id}/audience", data=form).status_code == 303
    db.session.refresh(consultation)
    assert consultation.sample_record is None and _refs(consultation) == refs[1:]
