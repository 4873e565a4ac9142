"""CPU time of the processes behind one served app, read from /proc, to show where a bench round's time goes.

A ratio of throughputs says how far an app is from its floor, not why. Reading each process's user
and system time before and after a round gives the CPU one text costs in the app's gunicorn
workers, the scheduler beside it, the PostgreSQL backends serving its database, and the bench's
own client. Linux only; elsewhere every figure is None and the bench prints none.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
TICK = 1.0 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01


def _stat(pid: int) -> tuple[int, float] | None:
    """Return (parent pid, CPU seconds) of one process, or None when it has gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its closing one.
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) * TICK


def _processes() -> dict[int, tuple[int, float]]:
    found = {}
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                found[int(entry.name)] = stat
    return found


def _tree(roots: Iterable[int], table: dict[int, tuple[int, float]]) -> set[int]:
    """The given processes and all their descendants."""
    members = {pid for pid in roots if pid in table}
    grew = True
    while grew:
        grew = False
        for pid, (parent, _) in table.items():
            if parent in members and pid not in members:
                members.add(pid)
                grew = True
    return members


def _backends(database: str) -> set[int]:
    """PostgreSQL backends connected to ``database`` (their process title names it)."""
    found = set()
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {database} " in f" {title.replace(chr(0), ' ')} ":
            found.add(int(entry.name))
    return found


@dataclass
class Sample:
    """CPU seconds so far of each part of one served app."""

    parts: dict[str, dict[int, float]]
    client: float


@dataclass
class CpuMeter:
    """Sum, over the timed rounds, the CPU each part of one app used."""

    workers: int  # the gunicorn master's pid
    others: dict[str, int] = field(default_factory=dict)  # e.g. {"scheduler": pid}
    database: str = ""  # a PostgreSQL database name, or "" for SQLite
    seconds: dict[str, float] = field(default_factory=dict)
    texts: int = 0

    def sample(self) -> Sample:
        """Read every part's CPU time now."""
        table = _processes()
        parts = {"workers": self._times(_tree([self.workers], table), table)}
        for name, pid in self.others.items():
            parts[name] = self._times(_tree([pid], table), table)
        if self.database:
            parts["postgres"] = self._times(_backends(self.database), table)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return Sample(parts, usage.ru_utime + usage.ru_stime)

    @staticmethod
    def _times(pids: set[int], table: dict[int, tuple[int, float]]) -> dict[int, float]:
        return {pid: table[pid][1] for pid in pids if pid in table}

    def add(self, before: Sample, after: Sample, texts: int) -> None:
        """Count what each part used between two samples (a process new since ``before`` from 0)."""
        for name, now in after.parts.items():
            then = before.parts.get(name, {})
            used = sum(seconds - then.get(pid, 0.0) for pid, seconds in now.items())
            self.seconds[name] = self.seconds.get(name, 0.0) + used
        self.seconds["client"] = self.seconds.get("client", 0.0) + after.client - before.client
        self.texts += texts

    def per_text(self) -> dict[str, float]:
        """Milliseconds of CPU per text for each part, the client last."""
        if not self.texts or not PROC.is_dir():
            return {}
        order = sorted(self.seconds, key=lambda name: name == "client")
        return {name: 1000 * self.seconds[name] / self.texts for name in order}
