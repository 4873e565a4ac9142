"""Random samples of customers, reproducible from their seed and optionally stratified."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import Area, Customer

STRATA = ("area", "tenure")
UNKNOWN = "(not recorded)"


@dataclass(frozen=True)
class Sample:
    """The customers drawn, the seed that draws them again, and how many came from each stratum."""

    customer_ids: list[int]
    seed: int
    n: int
    population: int
    strata: str | None = None
    by_stratum: dict[str, int] = field(default_factory=dict)

    def explain(self) -> str:
        """Say in a sentence how the sample was drawn, for staff and for the record."""
        how = (
            f"stratified by {self.strata} in proportion to each group's size"
            if self.strata
            else "simple random"
        )
        text = f"{len(self.customer_ids):,} of {self.population:,} customers ({how}), seed {self.seed}"
        if self.by_stratum:
            text += ": " + ", ".join(f"{k} {v:,}" for k, v in self.by_stratum.items())
        return text


def stratum_of(customer_ids: Iterable[int], strata: str) -> dict[int, str]:
    """Look up each customer's area name or tenure."""
    if strata not in STRATA:
        raise ValueError(f"strata must be one of: {', '.join(STRATA)}")
    ids = list(customer_ids)
    found: dict[int, str] = {}
    column = Area.name if strata == "area" else Customer.tenure
    for start in range(0, len(ids), 900):
        query = select(Customer.id, column).where(Customer.id.in_(ids[start : start + 900]))
        if strata == "area":
            query = query.outerjoin(Area, Area.id == Customer.area_id)
        found.update({cid: value or UNKNOWN for cid, value in db.session.execute(query)})
    return found


def _allocate(sizes: Mapping[str, int], n: int) -> dict[str, int]:
    """Share ``n`` between groups in proportion to size (largest remainder, ties by name)."""
    total = sum(sizes.values())
    exact = {k: n * size / total for k, size in sizes.items()}
    shares = {k: int(v) for k, v in exact.items()}
    left = n - sum(shares.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - shares[k]), k))[:left]:
        shares[k] += 1
    return shares


def sample(
    customer_ids: Iterable[int], n: int, seed: int, strata: str | Mapping[int, str] | None = None
) -> Sample:
    """Draw ``n`` customers at random; the same ids, n, seed and strata always give the same sample.

    ``strata`` is "area", "tenure", or a mapping of customer id to group, for a proportional sample.
    """
    if n < 0:
        raise ValueError("n cannot be negative")
    ids = sorted(set(customer_ids))  # order-free input, so a reordered list draws the same sample
    rng = random.Random(seed)
    if len(ids) <= n:
        return Sample(ids, seed, n, len(ids))
    if strata is None:
        return Sample(sorted(rng.sample(ids, n)), seed, n, len(ids))
    groups_of = stratum_of(ids, strata) if isinstance(strata, str) else strata
    groups: dict[str, list[int]] = {}
    for cid in ids:
        groups.setdefault(groups_of.get(cid, UNKNOWN), []).append(cid)
    shares = _allocate({k: len(v) for k, v in sorted(groups.items())}, n)
    drawn: list[int] = []
    for key in sorted(groups):
        drawn.extend(rng.sample(groups[key], shares[key]))
    label = strata if isinstance(strata, str) else "group"
    return Sample(sorted(drawn), seed, n, len(ids), label, {k: shares[k] for k in sorted(groups)})
