"""Paging for long staff lists: one COUNT and one LIMIT/OFFSET query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from app.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and where it sits in the whole list."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least one, so an empty list still shows page 1 of 1)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """Position of the first item shown (0 when there are none)."""
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        """Position of the last item shown."""
        return min(self.total, self.page * self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw: Any) -> int:
    """Read a page number from the query string; anything odd means page 1."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, 1_000_000))


def paginate(query: Select[Any], page: int, per_page: int, *, scalars: bool = True) -> Page[Any]:
    """Run ``query`` for one page; a page past the end shows the last page."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    limited = query.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(limited)
    items = list(result.scalars() if scalars else result.all())
    return Page(items=items, page=page, per_page=per_page, total=total)
