"""Hypothesis strategies for hostile input, and a way to see that a refusal wrote nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db

INJECTIONS = (
    "'; DROP TABLE customers; --", "' OR '1'='1", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.test","x")', "+1", "-1", "@SUM(1+1)", "{{ 7*7 }}", "{% raw %}", "../../etc/passwd",
    "%00", "\x00", "\r\n\r\nSet-Cookie: x=1", "\u202egnp.exe", "𝕿𝖊𝖘𝖙 🏠 ﷽", "NaN", "1e309", "-0", "9" * 40,
    "2011-02-30", "0000-00-00", "STOP", "JOIN BGT", "CANCEL BGT", " ", "",
)  # fmt: skip
# Any Unicode a browser can send (lone surrogates cannot be encoded as UTF-8 at all).
UNICODE = st.characters(exclude_categories=("Cs",))
TEXT = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(UNICODE, max_size=60),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["x" * 5000, "é" * 70_000, "1" * 300]),
)
FIELD_NAMES = st.one_of(
    st.sampled_from(["ref", "name", "phone", "email", "places", "notify", "customer_ref", "q_reads", "q_score",
                     "q_comments", "Body", "From", "To", "MessageSid", "SmsSid", "MessageStatus", "ErrorCode",
                     "OptOutType", "password", "csrf_token"]),
    st.text(UNICODE, min_size=1, max_size=20),
)  # fmt: skip
FORMS = st.dictionaries(FIELD_NAMES, TEXT, max_size=8)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def row_counts() -> dict[str, int]:
    """Count the rows of every table."""
    db.session.rollback()
    return {
        table.name: int(db.session.scalar(select(func.count()).select_from(table)) or 0)
        for table in db.metadata.sorted_tables
    }


def grew(before: dict[str, int], ignore: tuple[str, ...] = ()) -> dict[str, int]:
    """Return the tables that gained or lost rows since ``before``."""
    after = row_counts()
    return {
        name: after[name] - count
        for name, count in before.items()
        if after[name] != count and name not in ignore
    }
