"""A stratified random sample of the register's TSM tenants, reproducible from its seed.

Each stratum (by default tenure and area) gets its share of the sample in proportion to its
size on the register, the remainders going to the strata with the largest fractions, and a
seeded random draw within it; the same seed and register give the same sample.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import Area, Customer
from app.suppression import NOT_RECORDED
from consultations.tsm.populations import population_of

STRATA = ("population", "tenure", "area", "age_band")


@dataclass
class Sample:
    """The customers drawn and how many came from each stratum."""

    refs: list[str] = field(default_factory=list)
    strata: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)  # stratum: (register, drawn)


def stratified_sample(size: int, *, seed: int, by: tuple[str, ...] = ("tenure", "area")) -> Sample:
    """Draw ``size`` customers from the TSM populations, proportionally within each stratum."""
    group = population_of(Customer.tenure)
    rows = db.session.execute(
        select(
            Customer.ref,
            group.label("population"),
            Customer.tenure,
            Area.name.label("area"),
            Customer.age_band,
        )
        .outerjoin(Area, Area.id == Customer.area_id)
        .where(Customer.erased_at.is_(None), group.is_not(None))
        .order_by(Customer.id)
    ).all()
    strata: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for row in rows:
        strata[tuple(str(getattr(row, f) or NOT_RECORDED) for f in by)].append(row.ref)
    total = len(rows)
    size = max(0, min(size, total))
    sample = Sample()
    if not total:
        return sample
    quotas = {key: size * len(refs) / total for key, refs in strata.items()}
    counts = {key: int(q) for key, q in quotas.items()}
    short = size - sum(counts.values())
    for key in sorted(quotas, key=lambda k: (-(quotas[k] - counts[k]), k))[:short]:
        counts[key] += 1
    rng = random.Random(seed)
    for key in sorted(strata):
        drawn = rng.sample(strata[key], counts[key])
        sample.refs.extend(drawn)
        sample.strata[key] = (len(strata[key]), len(drawn))
    return sample
