"""The projects list: filters, the words typed into "Textsuche", sorting and paging.

The filters also narrow "similar jobs" and the search by meaning (`ProjectFilters`); the
rest belongs to the list alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from appliance.errors import InvalidInputError
from appliance.projects.models import EmbeddingStatus, Phase, Project
from appliance.search.analyzer import Analyzer
from appliance.search.word_filter import Piece, word_filters
from appliance.vectors.base import VectorFilter

# The fields the list's text filter looks in.
TEXT_FIELDS = (
    Project.name,
    Project.description,
    Project.customer,
    Project.trade,
    Project.address,
    Project.city,
)
SORT_FIELDS = {
    "created_at",
    "updated_at",
    "name",
    "customer",
    "trade",
    "city",
    "phase",
    "estimated_cost",
    "final_cost",
    "start_date",
}


@dataclass(frozen=True)
class ProjectFilters:
    """Filters shared by list, similar and search."""

    trade: str | None = None
    phase: Phase | None = None
    city: str | None = None
    year: int | None = None

    def vector_filter(self, exclude: Sequence[str] = ()) -> VectorFilter:
        equals: dict[str, str | int] = {}
        if self.trade:
            equals["trade"] = self.trade.casefold()
        if self.phase:
            equals["phase"] = self.phase.value
        if self.city:
            equals["city"] = self.city.casefold()
        if self.year:
            equals["year"] = self.year
        return VectorFilter(equals=equals, exclude_ids=tuple(exclude))


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern: its % and _ match themselves, not any characters."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_patterns(piece: Piece) -> list[str]:
    """LIKE patterns that find `piece` in a case-folded field."""
    forms = [escape_like(form) for form in sorted(piece.spellings)]
    if not piece.at_word_start:
        return [f"%{form}%" for form in forms]
    # A word starts at the field's start, or after a space, hyphen, slash or line break.
    return [f"{form}%" for form in forms] + [
        f"%{mark}{form}%" for mark in (" ", "-", "/", "\n") for form in forms
    ]


def text_conditions(analyzer: Analyzer, text: str) -> list[Any]:
    """Each word typed must occur in a text field, in one of its forms (word_filter)."""

    def found(piece: Piece) -> Any:
        return or_(
            *(
                func.casefold(column).like(pattern, escape="\\")
                for pattern in like_patterns(piece)
                for column in TEXT_FIELDS
            )
        )

    return [
        or_(*(and_(*(found(piece) for piece in alternative)) for alternative in f.alternatives))
        for f in word_filters(analyzer, text)
    ]


@dataclass(frozen=True)
class ListQuery:
    """What the list asks for. `name` finds the projects of exactly that name (case and
    outer spaces aside): the form warns of a duplicate with it."""

    filters: ProjectFilters
    text: str | None
    status: EmbeddingStatus | None
    sort: str
    name: str | None = None

    def page(
        self, session: Session, analyzer: Analyzer, *, limit: int, offset: int
    ) -> tuple[list[Project], int]:
        """Projects matching the query, sorted, one page, with the total count."""
        descending = self.sort.startswith("-")
        field = self.sort.lstrip("-")
        if field not in SORT_FIELDS:
            allowed = ", ".join(sorted(SORT_FIELDS))
            raise InvalidInputError(
                "project_sort_unknown", loc=("query", "sort"), field=field, allowed=allowed
            )
        conditions = self._conditions(analyzer)
        order = getattr(Project, field)
        total = session.exec(select(func.count()).select_from(Project).where(*conditions)).one()
        rows = session.exec(
            select(Project)
            .where(*conditions)
            .order_by(order.desc() if descending else order.asc(), Project.id)
            .offset(offset)
            .limit(limit)
        ).all()
        return list(rows), int(total)

    def _conditions(self, analyzer: Analyzer) -> list[Any]:
        filters, conditions = self.filters, []
        # casefold() is Python's str.casefold on SQLite and its SQL twin on PostgreSQL
        # (db.py): SQLite's own lower() folds ASCII only, so "Gießen" would never match.
        if filters.trade:
            conditions.append(func.casefold(Project.trade) == filters.trade.casefold())
        if filters.phase:
            conditions.append(col(Project.phase) == filters.phase)
        if filters.city:
            conditions.append(func.casefold(Project.city) == filters.city.casefold())
        if self.status:
            conditions.append(col(Project.status) == self.status)
        if self.name and self.name.strip():
            conditions.append(
                func.casefold(func.trim(Project.name)) == self.name.strip().casefold()
            )
        if self.text:
            conditions.extend(text_conditions(analyzer, self.text))
        return conditions
