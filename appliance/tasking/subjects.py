"""What a task is about, named for people: "Dokument verarbeiten: Angebot Keller.pdf",
not "Dokument verarbeiten 7782942e".

The engine knows a task's arguments, not what they mean. A task declares the kind of
thing its first argument names (`subject="document"`), and the application hands the
monitor one lookup per kind that names a whole page of ids in one query: the tasking
layer imports nothing of the documents or projects above it, and a page of 50 tasks
costs one query per kind, not one per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from appliance.tasking.registry import TaskRegistry, UnknownTaskError


@dataclass(frozen=True)
class Subject:
    """The thing a task works on, as a person knows it."""

    name: str
    # False when running a task about it again cannot help (a damaged file stays damaged).
    retryable: bool = True


# Names the things with these ids; ids it does not know (deleted meanwhile) are left out.
SubjectLookup = Callable[[Collection[str]], Mapping[str, Subject]]


class Subjects:
    """Finds the subjects of tasks through the lookups handed in, by kind."""

    def __init__(self, registry: TaskRegistry, lookups: Mapping[str, SubjectLookup]) -> None:
        self.registry = registry
        self.lookups = lookups

    def of(self, rows: Iterable[Row[Any]]) -> dict[str, Subject]:
        """Task id -> subject, for the ledger rows whose subject is known."""
        wanted: dict[str, dict[str, str]] = {}  # kind -> {task id: subject id}
        for row in rows:
            kind = self._kind(row.name)
            if kind is None or kind not in self.lookups:
                continue
            subject_id = _first_argument(row.args_json, row.kwargs_json, kind)
            if subject_id is not None:
                wanted.setdefault(kind, {})[row.id] = subject_id
        found: dict[str, Subject] = {}
        for kind, ids in wanted.items():
            named = self.lookups[kind](set(ids.values()))
            for task_id, subject_id in ids.items():
                if subject_id in named:
                    found[task_id] = named[subject_id]
        return found

    def _kind(self, name: str) -> str | None:
        try:
            return self.registry.get(name).subject
        except UnknownTaskError:  # a task of another version, still in the history
            return None


def _first_argument(args_json: str, kwargs_json: str, kind: str) -> str | None:
    """The id a task is about: its first positional argument, else `<kind>_id=`."""
    try:
        args = json.loads(args_json or "[]")
        kwargs = json.loads(kwargs_json or "{}")
    except ValueError:
        return None
    value = args[0] if args else kwargs.get(f"{kind}_id")
    return value if isinstance(value, str) else None
