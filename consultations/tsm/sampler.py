"""The TSM sample: the register's LCRA and LCHO tenants, drawn by the shared audience sampler.

Each stratum (population, tenure and area) gets its share of the sample in proportion to its
size on the register and a seeded random draw within it (consultations.sampling does both), so
the two populations are sampled separately and the same seed and register give the same sample.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Area, Customer
from consultations.sampling import UNKNOWN, Sample, sample
from consultations.tsm.populations import population_of

STRATIFY = "population, tenure and area"
# Joins a stratum's parts into the group name the shared sampler and the stored record use.
SEPARATOR = " · "


@dataclass(frozen=True)
class TsmSample:
    """The shared sampler's draw, with the refs drawn and each stratum's size on the register."""

    drawn: Sample
    refs: list[str]
    register: dict[str, int]

    def record(self) -> dict[str, Any]:
        """Return the draw as stored on the consultation: the shared record and the register's strata."""
        record = self.drawn.record()
        # Everyone drawn (a census): the shared sampler lists no strata, each stratum is whole.
        record["by_stratum"] = record["by_stratum"] or dict(self.register)
        return {**record, "register_by_stratum": dict(self.register)}


def _tenants() -> dict[int, tuple[str, str]]:
    """Map each TSM tenant's id to their ref and stratum (population · tenure · area)."""
    group = population_of(Customer.tenure)
    rows = db.session.execute(
        select(Customer.id, Customer.ref, group.label("population"), Customer.tenure, Area.name)
        .outerjoin(Area, Area.id == Customer.area_id)
        .where(Customer.erased_at.is_(None), group.is_not(None))
    )
    return {
        cid: (ref, SEPARATOR.join(str(part or UNKNOWN) for part in (population, tenure, area)))
        for cid, ref, population, tenure, area in rows
    }


def stratified_sample(size: int, *, seed: int) -> TsmSample:
    """Draw ``size`` tenants from the TSM populations, proportionally within each stratum."""
    tenants = _tenants()
    strata = {cid: stratum for cid, (_, stratum) in tenants.items()}
    drawn = sample(tenants, max(0, size), seed, strata, label=STRATIFY)
    register = dict(sorted(Counter(strata.values()).items()))
    return TsmSample(drawn, [tenants[cid][0] for cid in drawn.customer_ids], register)
