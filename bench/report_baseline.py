"""The same report figures from hand-written SQL, the yardstick the benchmark measures against."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, text

CENT = Decimal("0.01")
FIELDS = ("age_band", "gender", "ethnicity", "disability", "tenure", "area")

PER_ACTIVITY = """
SELECT activity_id, COUNT(DISTINCT customer_id),
       SUM(CASE WHEN customer_id IS NULL THEN headcount ELSE 0 END), SUM(hours)
FROM participations WHERE date BETWEEN :f AND :t GROUP BY activity_id"""
PER_CHANNEL = """
SELECT activity_id, channel,
       COUNT(DISTINCT customer_id) + SUM(CASE WHEN customer_id IS NULL THEN headcount ELSE 0 END)
FROM participations WHERE date BETWEEN :f AND :t GROUP BY activity_id, channel"""
STAFF = "SELECT activity_id, SUM(hours) FROM staff_time WHERE date BETWEEN :f AND :t GROUP BY activity_id"
COSTS = "SELECT activity_id, SUM(amount) FROM costs WHERE date BETWEEN :f AND :t GROUP BY activity_id"
ACTIVITIES = """
SELECT id, name, start_date, end_date, homes_affected, target_customers, target_cost_per_customer,
       counts_toward_budget, category FROM activities"""
SUMMARY = """
SELECT COUNT(DISTINCT p.customer_id),
       COALESCE(SUM(CASE WHEN p.customer_id IS NULL THEN p.headcount ELSE 0 END), 0),
       COUNT(DISTINCT CASE WHEN a.category = 'training' THEN p.customer_id END)
FROM participations p JOIN activities a ON a.id = p.activity_id WHERE p.date BETWEEN :f AND :t"""
# Every budget that overlaps the period counts, whole.
BUDGET = "SELECT SUM(amount), COUNT(*) FROM budgets WHERE start_date <= :t AND end_date >= :f"
REGULARS = """
SELECT COUNT(*) FROM (
  SELECT p.customer_id FROM participations p JOIN activities a ON a.id = p.activity_id
  WHERE a.category IN ('forum', 'panel', 'scrutiny') AND p.customer_id IS NOT NULL
    AND p.date BETWEEN :f AND :t
  GROUP BY p.customer_id HAVING COUNT(DISTINCT p.date) >= :n) r
WHERE NOT EXISTS (
  SELECT 1 FROM participations e JOIN activities ea ON ea.id = e.activity_id
  WHERE e.customer_id = r.customer_id AND e.date < :f AND ea.category IN ('forum', 'panel', 'scrutiny'))"""
PROFILE = (
    """
WITH took AS (SELECT DISTINCT customer_id FROM participations
              WHERE date BETWEEN :f AND :t AND customer_id IS NOT NULL),
flagged AS (
  SELECT c.age_band, c.gender, c.ethnicity, c.disability, c.tenure, ar.name AS area,
         CASE WHEN took.customer_id IS NULL THEN 0 ELSE 1 END AS took_part,
         CASE WHEN c.age_band IS NOT NULL AND c.gender IS NOT NULL AND c.ethnicity IS NOT NULL
              AND c.disability IS NOT NULL AND c.tenure IS NOT NULL AND c.area_id IS NOT NULL
              THEN 1 ELSE 0 END AS complete
  FROM customers c LEFT JOIN took ON took.customer_id = c.id LEFT JOIN areas ar ON ar.id = c.area_id
  WHERE c.erased_at IS NULL)
"""
    + " UNION ALL ".join(
        f"SELECT '{f}', {f}, COUNT(*), SUM(took_part) FROM flagged GROUP BY {f}" for f in FIELDS
    )
    + " UNION ALL SELECT '_coverage', NULL, COUNT(*), SUM(complete) FROM flagged"
)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _hidden(counts: dict[str, int], under: int = 5) -> set[str]:
    """Hide cells under 5, then the smallest shown, until the hidden cells cannot be subtracted back."""
    hidden = {v for v, n in counts.items() if n < under}
    shown = sorted((n, v) for v, n in counts.items() if v not in hidden)

    def safe() -> bool:
        sizes = [counts[v] for v in hidden]
        if not sizes:
            return True
        if len(sizes) < 2 or sum(sizes) < under:
            return False
        return not all(n == under - 1 for n in sizes)  # each could be read as 4

    while not safe() and shown:
        hidden.add(shown.pop(0)[1])
    return hidden


def _level(num: Decimal, den: Decimal, average_at: Decimal) -> str:
    return "good" if num >= den else "average" if num >= average_at * den else "poor"


def _days(start: Any, end: Any, date_from: date, date_to: date) -> tuple[int, int]:
    """Return (days inside the period, days of the activity); (1, 1) when the period holds it all."""
    if start is None or end is None:
        return 1, 1
    begins, ends = date.fromisoformat(str(start)), date.fromisoformat(str(end))
    if ends < begins or (date_from <= begins and ends <= date_to):
        return 1, 1
    return max((min(ends, date_to) - max(begins, date_from)).days + 1, 0), (ends - begins).days + 1


def _rating(
    customers: int, per_customer: Decimal | None, target: Any, target_cost: Any, avg: Decimal,
    days: tuple[int, int],
) -> str | None:  # fmt: skip
    levels = []
    if target is not None:
        # The reach target pro-rated for the part of the activity inside the period.
        inside, span = days
        levels.append(_level(Decimal(customers * span), Decimal(int(target) * inside), avg))
    if target_cost is not None:
        levels.append(
            "poor" if per_customer is None else _level(Decimal(str(target_cost)), per_customer, avg)
        )
    order = ("good", "average", "poor")
    return max(levels, key=order.index) if levels else None


def baseline_report(
    conn: Connection, date_from: date, date_to: date, avg: Decimal, min_dates: int
) -> dict[str, Any]:
    """Compute the report's figures with plain SQL and a little arithmetic."""
    p = {"f": date_from, "t": date_to, "n": min_dates}
    run = conn.execute
    per = {r[0]: r[1:] for r in run(text(PER_ACTIVITY), p)}
    channels: dict[int, dict[str, int]] = {}
    for aid, channel, n in run(text(PER_CHANNEL), p):
        channels.setdefault(aid, {})[channel] = int(n)
    staff = {r[0]: Decimal(str(r[1])) for r in run(text(STAFF), p)}
    costs = {r[0]: Decimal(str(r[1])) for r in run(text(COSTS), p)}
    acts = [r for r in run(text(ACTIVITIES)) if r[0] in per or r[0] in staff or r[0] in costs]
    acts.sort(key=lambda r: (r[2] is None, str(r[2] or ""), r[1]))
    out, spend = [], Decimal(0)
    for aid, name, start, end, homes, target, target_cost, counts, _cat in acts:
        ident, anon, hours = per.get(aid, (0, 0, 0))
        customers = int(ident) + int(anon or 0)
        total = _cents(costs.get(aid, Decimal(0)))
        spend += total if counts else 0
        per_customer = _cents(total / customers) if customers else None
        out.append({
            "name": name, "customers_involved": customers, "by_channel": dict(sorted(channels.get(aid, {}).items())),
            "customer_hours": float(round(Decimal(str(hours or 0)), 4)),
            "staff_hours": float(round(staff.get(aid, Decimal(0)), 4)),
            "total_cost": f"{total:.2f}", "cost_per_customer": None if per_customer is None else f"{per_customer:.2f}",
            "cost_per_property": f"{_cents(total / homes):.2f}" if homes else None,
            "rating": _rating(customers, per_customer, target, target_cost, avg,
                             _days(start, end, date_from, date_to)),
        })  # fmt: skip
    participated, anonymous, trained = run(text(SUMMARY), p).one()
    budget_sum, budgets = run(text(BUDGET), p).one()
    budget = _cents(Decimal(str(budget_sum))) if budgets else None
    summary = {
        "customers_participated": int(participated), "unidentified_participants": int(anonymous),
        "new_regularly_involved": int(run(text(REGULARS), p).scalar_one()), "customers_trained": int(trained),
        "budget": None if budget is None else f"{budget:.2f}", "spend": f"{_cents(spend):.2f}",
        "underspend": None if budget is None else f"{_cents(budget - spend):.2f}",
    }  # fmt: skip
    raw: dict[str, dict[str, tuple[int, int]]] = {f: {} for f in FIELDS}
    coverage = 0.0
    for field, value, base, took in run(text(PROFILE), p):
        if field == "_coverage":
            coverage = round(int(took or 0) / base, 4) if base else 0.0
            continue
        raw[field][value or "Not recorded"] = (int(took or 0), int(base))
    fields: dict[str, dict[str, dict[str, int | None]]] = {}
    for f, cells in raw.items():
        hide_took = _hidden({v: c[0] for v, c in cells.items()})
        hide_base = _hidden({v: c[1] for v, c in cells.items()})
        fields[f] = {
            v: {"participants": None if v in hide_took else t, "base": None if v in hide_base else b}
            for v, (t, b) in sorted(cells.items())
        }
    return {"activities": out, "summary": summary, "profile": {"fields": fields, "coverage": coverage}}
