"""Panels other packages add to the staff home page, without the web package importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask


@dataclass(frozen=True)
class HomePanel:
    """A template the home page includes, and the function that builds its ``panel`` variable."""

    template: str
    context: Callable[[], Any]


def register_home_panel(app: Flask, name: str, template: str, context: Callable[[], Any]) -> None:
    """Include ``template`` on the home page with ``panel = context()``, in registration order."""
    app.extensions.setdefault("involve_home_panels", {})[name] = HomePanel(template, context)


def home_panels(app: Flask) -> list[tuple[str, Any]]:
    """Build every registered panel for one visit of the home page."""
    return [(p.template, p.context()) for p in app.extensions.get("involve_home_panels", {}).values()]
