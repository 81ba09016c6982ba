"""Pages of a long list: which page a request asked for and what a page template shows.
Every paged list of the portal (progress boards, admin logs, account links) uses these."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page of a list: ``number`` (1-based, within ``1..pages``), ``per_page``,
    ``total`` (rows matching the filters) and the ``ids`` on this page, in list order."""

    number: int
    per_page: int
    total: int
    ids: tuple[int, ...] = ()

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first(self) -> int:
        """1-based position of the page's first row (0 when the list is empty)."""
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.per_page)


def page_number(value, total: int, per_page: int) -> int:
    """A requested page number made safe: 1 for anything unreadable, the last page for
    anything past it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 1
    return min(max(1, number), max(1, math.ceil(total / per_page)))
