"""Sections other packages add to a customer's page, without the web package importing them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from app.models import Customer

KEY = "involve_customer_sections"


@dataclass(frozen=True)
class CustomerSection:
    """A template the customer page includes, and the function that builds its ``section`` variable."""

    template: str
    context: Callable[[Customer, Mapping[str, str]], Any]


def register_customer_section(
    app: Flask, name: str, template: str, context: Callable[[Customer, Mapping[str, str]], Any]
) -> None:
    """Include ``template`` on each customer page with ``section = context(customer, query args)``."""
    app.extensions.setdefault(KEY, {})[name] = CustomerSection(template, context)


def customer_sections(app: Flask, customer: Customer, args: Mapping[str, str]) -> list[tuple[str, Any]]:
    """Build every registered section for one view of a customer's page, in registration order."""
    return [(s.template, s.context(customer, args)) for s in app.extensions.get(KEY, {}).values()]
