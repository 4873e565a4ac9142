"""Small-cell suppression for every published profile of people, primary and secondary.

Each profile field splits the same people (participants, and the whole register) into values, and
the report prints both totals. A column (participants or register) of one field is therefore a
set of cells with a known sum: hiding one cell alone lets a reader subtract it back. Secondary
suppression hides further cells, smallest first, until in every column either nothing is hidden,
or at least two cells are hidden and together they hold at least ``threshold`` people (so the
hidden group is not itself a small count, and when all of them are small, not all at the limit).
"""

from __future__ import annotations

from collections.abc import Mapping

# A cell of fewer people than this could be told apart, so it is never published.
SUPPRESS_UNDER = 5
# The label of people whose profile field is blank, wherever a profile is shown.
NOT_RECORDED = "Not recorded"


def _safe(hidden: list[int], primary: list[bool], threshold: int) -> bool:
    if not hidden:
        return True
    if len(hidden) < 2 or sum(hidden) < threshold:
        return False
    # All hidden cells small and all at the largest small value: each could be read as threshold-1.
    return not (all(primary) and all(v == threshold - 1 for v in hidden))


def suppress_column(counts: Mapping[str, int], threshold: int) -> set[str]:
    """Return the values whose cells must be hidden in one column with a published total."""
    hidden = {value for value, n in counts.items() if n < threshold}
    shown = sorted((n, value) for value, n in counts.items() if value not in hidden)
    while not _safe([counts[v] for v in hidden], [counts[v] < threshold for v in hidden], threshold):
        if not shown:
            # Everything is hidden already: only the published total is left to read.
            break
        hidden.add(shown.pop(0)[1])
    return hidden


def derivable(cells: Mapping[str, int | None], total: int) -> dict[str, int]:
    """Return the hidden cells a reader could work out exactly from the total and the shown cells."""
    hidden = [value for value, n in cells.items() if n is None]
    rest = total - sum(n for n in cells.values() if n is not None)
    if len(hidden) == 1:
        return {hidden[0]: rest}
    if hidden and rest == 0:
        return dict.fromkeys(hidden, 0)
    return {}
