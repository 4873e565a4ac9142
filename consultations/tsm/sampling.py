"""Sample sizes and margins of error for the perception survey, as the regulator asks for them.

Tenant Satisfaction Measures: Tenant Survey Requirements (Regulator of Social Housing; Part B
of the TSM Direction given on 1 October 2026): results must meet a required statistical
accuracy at the 95% confidence level that depends on the number of relevant homes. Both
figures use the normal approximation with the finite population correction at p = 0.5, the
most cautious proportion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

Z95 = 1.96
P = 0.5
# (fewer than this many relevant homes, required margin as a fraction)
BANDS = ((2_500, 0.05), (10_000, 0.04), (25_000, 0.03))
LARGEST_BAND = 0.02


def required_margin(population: int) -> float:
    """Return the regulator's required accuracy for a population of relevant homes."""
    for below, margin in BANDS:
        if population < below:
            return margin
    return LARGEST_BAND


def minimum_responses(population: int, margin: float) -> int:
    """Return the responses needed for ``margin`` (a fraction) at 95% confidence, as landlords publish it.

    n0 = z²·p(1-p)/e² is the answer for an endless population; the finite population correction
    n = n0 / (1 + n0/N) shrinks it for N homes, rounded to the nearest response (half up). This is
    the calculation behind published TSM figures: Golding Homes' 7,271 tenants need 554 for ±4%
    (554.47). A census needs every home.
    """
    if population <= 0:
        return 0
    n0 = Z95**2 * P * (1 - P) / margin**2
    needed = Decimal(repr(n0 / (1 + n0 / population)))
    return min(population, int(needed.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def achieved_margin(population: int, responses: int) -> float | None:
    """Return the margin of error (a fraction, 95% confidence) of ``responses`` from ``population``."""
    if responses <= 0 or population <= 0:
        return None
    if responses >= population or population == 1:
        return 0.0
    correction = (population - responses) / (population - 1)
    return Z95 * math.sqrt(P * (1 - P) / responses * correction)


@dataclass(frozen=True)
class SampleSize:
    """The calculator's answer, as `flask tsm sample-size` prints it."""

    population: int
    margin: float
    minimum_responses: int
    achieved_margin: float | None = None
    responses: int | None = None

    def to_json(self) -> dict[str, float | int]:
        """Return the figures in the documented JSON shape."""
        data: dict[str, float | int] = {
            "population": self.population,
            "margin": self.margin,
            "minimum_responses": self.minimum_responses,
        }
        if self.responses is not None:
            data["achieved_margin"] = (
                round(self.achieved_margin, 4) if self.achieved_margin is not None else None  # type: ignore[dict-item]
            )
        return data


def sample_size(population: int, margin: float | None = None, responses: int | None = None) -> SampleSize:
    """Return the required margin (unless given), the minimum responses and, with responses, the achieved margin."""
    margin = required_margin(population) if margin is None else margin
    achieved = achieved_margin(population, responses) if responses is not None else None
    return SampleSize(population, margin, minimum_responses(population, margin), achieved, responses)


def percent(fraction: float | None) -> str:
    """Show a margin as people read it: ±4.0%."""
    return "—" if fraction is None else f"±{fraction * 100:.1f}%"
