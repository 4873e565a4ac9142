"""Random samples of customers, reproducible from their seed and optionally stratified."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Area, Customer

STRATA = ("area", "tenure")
UNKNOWN = "(not recorded)"
# A seed chosen for a new sample: short enough to read out, long enough not to repeat by chance.
SEED_RANGE = 1_000_000


class SampleError(ValueError):
    """A sample definition is malformed; the message names the field."""


def whole_number(raw: Any, name: str, minimum: int) -> int | None:
    """Read a whole number (or blank, None) from JSON or a form field; the message names the field."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
        raise SampleError(f"{name} must be a whole number of at least {minimum}")
    return raw


@dataclass(frozen=True)
class SampleSpec:
    """A random sample of the reachable audience: its size, its seed and what it is stratified by."""

    size: int
    seed: int
    stratify: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> SampleSpec | None:
        """Read audience.sample; a sample without a seed gets a fresh one, stored from then on."""
        if data is None:
            return None
        if not isinstance(data, dict):
            raise SampleError("audience.sample must be an object with size, seed and stratify")
        unknown = sorted(set(data) - {"size", "seed", "stratify"})
        if unknown:
            raise SampleError(f"audience.sample has unknown field(s): {', '.join(unknown)}")
        size = whole_number(data.get("size"), "audience.sample.size", 1)
        if size is None:
            raise SampleError("audience.sample.size must be a whole number of at least 1")
        seed = whole_number(data.get("seed"), "audience.sample.seed", 0)
        stratify = data.get("stratify") or None
        if stratify is not None and stratify not in STRATA:
            raise SampleError(f"audience.sample.stratify must be one of: {', '.join(STRATA)} (or absent)")
        return cls(size, secrets.randbelow(SEED_RANGE) if seed is None else seed, stratify)

    def to_json(self) -> dict[str, Any]:
        """Return the definition's audience.sample object."""
        return {"size": self.size, "seed": self.seed, "stratify": self.stratify}


@dataclass(frozen=True)
class Sample:
    """The customers drawn, the seed that draws them again, and how many came from each stratum."""

    customer_ids: list[int]
    seed: int
    n: int
    population: int
    strata: str | None = None
    by_stratum: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """Say how the sample was drawn in a phrase: "random sample of 500 from 2,013, stratified by area, seed 8"."""
        return describe_record(self.record())

    def record(self) -> dict[str, Any]:
        """Return the draw as stored on the consultation at launch, to reproduce and explain it."""
        return {
            "size": self.n,
            "seed": self.seed,
            "stratify": self.strata,
            "population": self.population,
            "drawn": len(self.customer_ids),
            "by_stratum": dict(self.by_stratum),
        }

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


def describe_record(record: Mapping[str, Any]) -> str:
    """Say how a stored draw was made, as Sample.describe does for a fresh one."""
    how = f", stratified by {record['stratify']}" if record.get("stratify") else ""
    return (
        f"random sample of {record.get('drawn', 0):,} from {record.get('population', 0):,}{how}, "
        f"seed {record.get('seed')}"
    )


def describe_spec(spec: Mapping[str, Any]) -> str:
    """Say how a sample not drawn yet will be drawn."""
    how = f", stratified by {spec['stratify']}" if spec.get("stratify") else ""
    return f"random sample of {spec.get('size', 0):,}{how}, seed {spec.get('seed')} (drawn at launch)"


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
    customer_ids: Iterable[int],
    n: int,
    seed: int,
    strata: str | Mapping[int, str] | None = None,
    *,
    label: str = "group",
) -> Sample:
    """Draw ``n`` customers at random; the same ids, n, seed and strata always give the same sample.

    ``strata`` is "area", "tenure", or a mapping of customer id to group (named ``label`` in the
    record), for a proportional sample.
    """
    if n < 0:
        raise ValueError("n cannot be negative")
    ids = sorted(set(customer_ids))  # order-free input, so a reordered list draws the same sample
    rng = random.Random(seed)
    if len(ids) <= n:
        return Sample(ids, seed, n, len(ids), strata if isinstance(strata, str) else None)
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
    label = strata if isinstance(strata, str) else label
    return Sample(sorted(drawn), seed, n, len(ids), label, {k: shares[k] for k in sorted(groups)})
