"""Background jobs of the core app, run by the scheduler's clock without the core importing it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask


@dataclass(frozen=True)
class AppJob:
    """A sweeper of the core app: func(now) returns how many things it did; safe to run twice."""

    name: str
    func: Callable[[datetime], int]
    seconds: int


def register_app_job(app: Flask, name: str, func: Callable[[datetime], int], seconds: int) -> None:
    """Ask the clock (whichever package runs it) to run ``func`` every ``seconds``."""
    app.extensions.setdefault("involve_app_jobs", {})[name] = AppJob(name, func, seconds)


def app_jobs(app: Flask) -> list[AppJob]:
    """Return the core app's jobs in registration order."""
    return list(app.extensions.get("involve_app_jobs", {}).values())
