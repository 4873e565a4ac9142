"""The sample-size calculator against landlords' published figures, and `flask tsm sample-size`."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskCliRunner

from consultations.tsm.sampling import achieved_margin, minimum_responses, percent, required_margin


@pytest.mark.parametrize(
    ("population", "margin"),
    [(1, 0.05), (2_499, 0.05), (2_500, 0.04), (9_999, 0.04), (10_000, 0.03), (24_999, 0.03), (25_000, 0.02)],
)
def test_required_margin_follows_the_regulators_bands(population: int, margin: float) -> None:
    assert required_margin(population) == margin


def test_golding_homes_need_554_responses_from_7271_tenants_for_4_percent() -> None:
    # Golding Homes published "at least 554 responses" from 7,271 tenants for ±4%.
    assert required_margin(7_271) == 0.04
    assert minimum_responses(7_271, 0.04) == 554
    # 554 responses give ±4.00% to two decimals, as margins are published; 553 do not.
    assert round(achieved_margin(7_271, 554) * 100, 2) == 4.00
    assert round(achieved_margin(7_271, 553) * 100, 2) > 4.00


def test_east_suffolk_4323_homes_as_one_population() -> None:
    # East Suffolk published 528 as 492 general-needs plus 36 retired-living responses, worked out
    # per group; one population of 4,323 homes needs 527 (n = 527.07).
    assert required_margin(4_323) == 0.04
    assert minimum_responses(4_323, 0.04) == 527
    assert 0.04 < achieved_margin(4_323, 527) < 0.0401


def test_longhurst_margins_from_1128_and_536_responses() -> None:
    # 1,128 responses were about 6% of their population and 536 about 22%: 18,800 and 2,436 homes.
    assert round(1_128 / 18_800 * 100) == 6 and round(536 / 2_436 * 100) == 22
    assert percent(achieved_margin(18_800, 1_128)) == "±2.8%"
    assert percent(achieved_margin(2_436, 536)) == "±3.7%"


def test_small_populations_and_a_census() -> None:
    assert minimum_responses(10, 0.05) == 10
    assert achieved_margin(500, 500) == 0.0
    assert achieved_margin(500, 0) is None


def test_sample_size_command_prints_the_documented_json(runner: FlaskCliRunner) -> None:
    out = runner.invoke(args=["tsm", "sample-size", "--population", "7271"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {"population": 7271, "margin": 0.04, "minimum_responses": 554}
    out = runner.invoke(
        args=["tsm", "sample-size", "--population", "2436", "--margin", "0.03", "--responses", "536"]
    )
    data = json.loads(out.output)
    assert data["margin"] == 0.03 and data["minimum_responses"] == minimum_responses(2436, 0.03)
    assert data["achieved_margin"] == round(achieved_margin(2436, 536), 4) == 0.0374
    bad = runner.invoke(args=["tsm", "sample-size", "--population", "100", "--responses", "101"])
    assert bad.exit_code != 0 and "cannot exceed --population" in bad.output
