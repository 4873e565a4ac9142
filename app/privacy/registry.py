"""Where personal data lives outside the core tables: each feature package registers its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app

from app.models import Customer


@dataclass(frozen=True)
class PersonalData:
    """One place that holds customers' personal data, and how to erase, export and purge it.

    ``erase(customer, now)`` blanks what the place holds about one customer (called before the
    customer row itself is blanked, so the phone and email are still there to match on) and
    returns how many rows it changed. ``export(customer)`` returns the rows a subject access
    request shows. ``purge(cutoff)`` blanks message bodies and free text written before
    ``cutoff`` and returns how many rows it changed.
    """

    name: str
    erase: Callable[[Customer, datetime], int]
    export: Callable[[Customer], list[dict[str, Any]]]
    purge: Callable[[datetime], int]


def register_personal_data(app: Flask, place: PersonalData) -> None:
    """Add a place that holds personal data; a second registration under one name replaces the first."""
    app.extensions.setdefault("involve_personal_data", {})[place.name] = place


def places(app: Flask | None = None) -> list[PersonalData]:
    """Return the registered places in registration order."""
    target = app or current_app
    return list(target.extensions.get("involve_personal_data", {}).values())
