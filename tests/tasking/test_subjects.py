"""Naming what tasks are about: one lookup per kind for a page of tasks, none per row."""

from __future__ import annotations

from collections.abc import Collection

from appliance.runtime import Runtime
from appliance.tasking.subjects import Subject, Subjects


class CountingLookup:
    """Names ids from a table and records each question it was asked."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.asked: list[set[str]] = []

    def __call__(self, ids: Collection[str]) -> dict[str, Subject]:
        self.asked.append(set(ids))
        return {i: Subject(self.names[i]) for i in ids if i in self.names}


def test_a_page_of_tasks_is_named_with_one_question_per_kind(runtime: Runtime) -> None:
    papers = CountingLookup({"d1": "Angebot Keller.pdf", "d2": "Rechnung.pdf"})
    jobs = CountingLookup({"p1": "Bad Krüger"})
    tasks = {
        "read d1": runtime.queue.enqueue("tasks.process_document", "d1", "x.pdf", "pdf"),
        "embed d1": runtime.queue.enqueue("tasks.embed_document", "d1", 0),
        "read d2": runtime.queue.enqueue("tasks.process_document", "d2", "y.pdf", "pdf"),
        "gone": runtime.queue.enqueue("tasks.process_document", "d3", "z.pdf", "pdf"),
        "job": runtime.queue.enqueue("tasks.generate_project_embedding", project_id="p1"),
        "ping": runtime.queue.enqueue("tasks.ping", "d1"),
    }
    rows, _total = runtime.history.recent(limit=50)

    named = Subjects(runtime.queue.registry, {"document": papers, "project": jobs}).of(rows)

    assert {label: named[task_id].name for label, task_id in tasks.items() if task_id in named} == {
        "read d1": "Angebot Keller.pdf",
        "embed d1": "Angebot Keller.pdf",
        "read d2": "Rechnung.pdf",
        "job": "Bad Krüger",  # named by keyword, as the seed's callers pass it
    }
    assert papers.asked == [{"d1", "d2", "d3"}] and jobs.asked == [{"p1"}]


def test_without_lookups_tasks_are_not_named(runtime: Runtime) -> None:
    runtime.queue.enqueue("tasks.process_document", "d1", "x.pdf", "pdf")
    rows, _total = runtime.history.recent()
    assert Subjects(runtime.queue.registry, {}).of(rows) == {}
