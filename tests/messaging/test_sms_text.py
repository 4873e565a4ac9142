"""Segments, encoding and cost of a text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from messaging.sms_text import analyse, estimate_cost


@pytest.mark.parametrize(
    ("body", "encoding", "segments"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters count two septets each
        ("€" * 81, "GSM-7", 2),
        ("£@èÉ¿§", "GSM-7", 1),
        ("a" * 70 + "ł", "UCS-2", 2),
        ("a" * 69 + "ł", "UCS-2", 1),
        ("😀" * 35, "UCS-2", 1),  # an emoji is two UTF-16 units
        ("😀" * 36, "UCS-2", 2),
    ],
)
def test_analyse(body: str, encoding: str, segments: int) -> None:
    shape = analyse(body)
    assert (shape.encoding, shape.segments, shape.characters) == (encoding, segments, len(body))


def test_escaped_pair_is_never_split_across_segments() -> None:
    # 152 plain characters then a euro: 154 septets would split the escape pair at 153, so 3 segments
    # are not needed but the pair moves whole into segment two.
    shape = analyse("a" * 152 + "€" + "a" * 10)
    assert shape.segments == 2
    assert analyse("a" * 152 + "€" + "a" * 152).segments == 3


def test_estimate_cost_is_decimal() -> None:
    assert estimate_cost("a" * 161, 1000, Decimal("0.04")) == Decimal("80.00")
