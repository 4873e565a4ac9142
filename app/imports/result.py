"""What an import reports: its counts when it succeeds, every problem when it does not."""

from __future__ import annotations

from dataclasses import dataclass, field

# Enough to fix a file by; a systematic mistake in a huge file would otherwise fill memory.
KEEP_AT_MOST = 1000


class FieldError(ValueError):
    """A cell that cannot be read; the message is the part after "column: "."""


def quoted(raw: str, limit: int = 40) -> str:
    """Return ``raw`` in double quotes, shortened and with control characters made visible."""
    text = raw if len(raw) <= limit else raw[: limit - 1] + "…"
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return f'"{text}"'


@dataclass
class Problems:
    """The problems found in one file, each naming file, row and column."""

    filename: str
    messages: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        """Note a problem; row numbers count the header as row 1."""
        self.total += 1
        if len(self.messages) >= KEEP_AT_MOST:
            return
        where = self.filename if row is None else f"{self.filename} row {row}"
        self.messages.append(f"{where}, {column}: {message}" if column else f"{where}: {message}")

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        """Refuse the whole file when any problem was found."""
        if self.total:
            raise ImportRejected(self.filename, self.messages, self.total)


class ImportRejected(Exception):
    """A file that was not imported, with every problem found in it."""

    def __init__(self, filename: str, errors: list[str], total: int | None = None) -> None:
        self.filename = filename
        self.errors = list(errors)
        self.total = len(self.errors) if total is None else total
        super().__init__(f"{filename}: not imported, {self.total:,} problem(s)")

    def lines(self, limit: int = 200) -> list[str]:
        """Return the problems to print, at most ``limit``, and a line for the rest."""
        shown = self.errors[:limit]
        rest = self.total - len(shown)
        return [*shown, f"… and {rest:,} more"] if rest > 0 else shown


@dataclass
class ImportResult:
    """The counts of a successful import."""

    kind: str
    filename: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return e.g. "customers.csv: 1,203 rows — 1,150 added, 53 updated, 0 unchanged"."""
        if not self.rows:
            return f"{self.filename}: header only, no rows — nothing imported"
        text = (
            f"{self.filename}: {self.rows:,} rows — {self.added:,} added, "
            f"{self.updated:,} updated, {self.unchanged:,} unchanged"
        )
        if self.skipped:
            text += f", {self.skipped:,} skipped"
        return text
