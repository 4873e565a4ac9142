"""Random samples: reproducible from the seed, proportional when stratified."""

from __future__ import annotations

from flask import Flask

from app.extensions import db
from app.models import Area
from consultations.sampling import sample
from tests.consultations import factories as f


def test_the_same_seed_draws_the_same_sample_and_another_seed_differs(app: Flask) -> None:
    ids = list(range(1, 1001))
    first = sample(ids, 50, seed=42)
    assert len(first.customer_ids) == 50 and set(first.customer_ids) <= set(ids)
    assert sample(list(reversed(ids)), 50, seed=42).customer_ids == first.customer_ids
    assert sample(ids, 50, seed=43).customer_ids != first.customer_ids
    assert first.explain() == "50 of 1,000 customers (simple random), seed 42"
    assert sample(ids[:10], 50, seed=1).customer_ids == ids[:10]


def test_a_sample_stratified_by_area_is_proportional(app: Flask) -> None:
    derby, belper = Area(name="Derby", homes=10), Area(name="Belper", homes=10)
    db.session.add_all([derby, belper])
    db.session.flush()
    people = [f.customer(area_id=derby.id).id for _ in range(30)]
    people += [f.customer(area_id=belper.id).id for _ in range(10)]
    db.session.commit()
    drawn = sample(people, 8, seed=7, strata="area")
    assert drawn.by_stratum == {"Belper": 2, "Derby": 6}
    assert len(set(drawn.customer_ids) & set(people[30:])) == 2
    assert sample(people, 8, seed=7, strata="area").customer_ids == drawn.customer_ids
    assert "stratified by area" in drawn.explain() and "seed 7" in drawn.explain()
