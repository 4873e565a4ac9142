"""Hostile CSV files for every import kind: each is imported whole or refused having written nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.imports import KINDS, ImportRejected, import_rows
from app.models import Activity, Area, Customer, StaffUser
from tests.security.fuzz import FUZZ, TEXT, UNICODE, grew, row_counts

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
# Values each column would accept, so some files get past the first row and reach the writes.
PLAUSIBLE = st.sampled_from([
    "Derby", "Reading Panel", "DL0001", "2011-04-01", "2012-03-31", "12", "1.5", "0", "yes", "no", "panel",
    "consultation", "in person", "sms", "07912 345678", "+44 7912 345679", "ann@example.org", "staff@derwent.test",
    "45.50", "open", "done", "Tenant", "35-44",
])  # fmt: skip
CELLS = st.one_of(PLAUSIBLE, TEXT)


@pytest.fixture
def seeded(app: Flask) -> None:
    """An area, an activity, a customer and a staff login that rows can refer to."""
    db.session.add_all([
        Area(name="Derby", homes=100), Activity(name="Reading Panel", category="panel"),
        Customer(ref="DL0001", first_name="Ann"), StaffUser(email="staff@derwent.test", role="staff"),
    ])  # fmt: skip
    db.session.commit()


def run(kind: str, stream: io.TextIOBase | io.StringIO) -> None:
    """Import, and check that a refusal wrote nothing and a success is whole."""
    before = row_counts()
    try:
        result = import_rows(kind, "fuzz.csv", stream, now=NOW)  # type: ignore[arg-type]
        db.session.commit()
    except ImportRejected as rejected:
        db.session.rollback()
        assert rejected.errors, "a refusal must say why"
        assert all(line.startswith("fuzz.csv") for line in rejected.errors)
        assert grew(before) == {}
    else:
        assert result.rows >= 0
        if result.added == 0 and result.updated == 0:
            assert grew(before, ignore=("audit_events",)) == {}


@st.composite
def sheets(draw: st.DrawFn) -> tuple[str, str]:
    """A kind and a CSV text: its columns (sometimes shuffled, missing or unknown) and rows of wild cells."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    columns = list(KINDS[kind].columns.all)
    header = draw(st.permutations(columns))
    if draw(st.booleans()):
        header = header[: draw(st.integers(0, len(header)))] + draw(st.lists(TEXT, max_size=2))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(header) + 2), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return kind, out.getvalue()


def test_wild_csv_files_are_imported_whole_or_not_at_all(app: Flask, seeded: None) -> None:
    @settings(FUZZ, max_examples=100)
    @given(sheet=sheets())
    def check(sheet: tuple[str, str]) -> None:
        kind, text = sheet
        run(kind, io.StringIO(text, newline=""))

    check()


def test_random_bytes_are_refused_with_a_reason(app: Flask, seeded: None) -> None:
    @FUZZ
    @given(
        kind=st.sampled_from(sorted(KINDS)),
        data=st.binary(max_size=400),
        prefix=st.sampled_from([b"", b"\xef\xbb\xbf"]),
    )
    def check(kind: str, data: bytes, prefix: bytes) -> None:
        header = ",".join(KINDS[kind].columns.required).encode() + b"\r\n"
        for raw in (prefix + data, prefix + header + data):
            run(kind, io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline=""))

    check()


def test_oversized_and_odd_cells_are_named_by_row_and_column(app: Flask, seeded: None) -> None:
    @FUZZ
    @given(
        cell=st.one_of(
            st.text(UNICODE, min_size=255, max_size=400), st.sampled_from(["x" * 100_000, "\x00", "a\x00b"])
        )
    )
    def check(cell: str) -> None:
        text = (
            f"ref,first_name,tenure\r\nDL0009,{cell.replace(',', ';').replace(chr(34), '')},{cell[:300]}\r\n"
        )
        run("customers", io.StringIO(text, newline=""))

    check()


def test_a_nul_character_is_refused_by_row_and_column(app: Flask, seeded: None) -> None:
    before = row_counts()
    with pytest.raises(ImportRejected) as refused:
        import_rows(
            "customers", "nul.csv", io.StringIO("ref,first_name\r\nDL0009,An\x00n\r\n", newline=""), now=NOW
        )
    db.session.rollback()
    assert refused.value.errors[0].startswith("nul.csv row 2, first_name: holds a NUL character")
    assert grew(before) == {}
