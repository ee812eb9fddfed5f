"""Documents by meaning: chunks embedded after extraction, in runs that let projects pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import func, select

from appliance.documents.chunks import chunk_text
from appliance.documents.models import DocumentChunk
from tests.e2e.test_documents import URL, search, upload, wait_done
from tests.support import CHUNKS_PER_RUN_IN_TESTS as CHUNKS_PER_RUN
from tests.support import RunningAppliance, wait_for

EMBED = "tasks.embed_document"
SENTENCES = (
    "Am Objekt {n} wurde die Dachrinne aus Titanzink auf {m} Metern erneuert.",
    "Die Fallrohre am Haus {n} sind verstopft und werden bis Woche {m} gereinigt.",
    "Der Kunde {n} wünscht ein Angebot für {m} Laufmeter Kastenrinne.",
    "Bei der Begehung {n} zeigte sich an {m} Stellen Moos auf den Dachziegeln.",
)


def long_report(path: Path, words: int, token: str, first: int = 0) -> Path:
    """A text of about `words` words about gutters, with `token` at its end; its sentences
    are numbered from `first` on (so two reports share no sentence)."""
    lines, count, n = [], 0, first
    while count < words:
        line = SENTENCES[n % len(SENTENCES)].format(n=n, m=n * 7 % 97)
        lines.append(line)
        count += len(line.split())
        n += 1
    lines.append(f"Aktenzeichen {token}.")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def embed_runs(appliance: RunningAppliance) -> list[Any]:
    rows, _ = appliance.runtime.history.recent(name=EMBED, limit=500)
    return rows


def test_a_long_paper_is_embedded_in_runs_and_found_by_meaning(
    appliance: RunningAppliance, tmp_path: Path
) -> None:
    path = long_report(tmp_path / "dachbericht.txt", 3 * CHUNKS_PER_RUN * 100, "AZ-77-DR")
    body = upload(appliance, path)
    done = wait_done(appliance, body["id"], timeout=300)
    assert done["status"] == "completed" and done["stage"] == "done"
    # The counters show the pages again once the chunks are done.
    assert done["page_current"] == done["page_total"] == done["page_count"]
    text = appliance.client.get(f"{URL}{body['id']}").json()["searchable_text"]
    expected = len(chunk_text(text))
    assert expected > 2 * CHUNKS_PER_RUN  # three runs at least
    with appliance.runtime.db.session() as session:
        stored = session.exec(
            select(func.count())
            .select_from(DocumentChunk)
            .where(DocumentChunk.document_id == body["id"])
        ).one()
    assert stored == expected
    runs = [r for r in embed_runs(appliance) if r.args_json.startswith(f'["{body["id"]}"')]
    assert len(runs) == -(-expected // CHUNKS_PER_RUN)
    assert {r.state for r in runs} == {"SUCCESS"}
    # Words of the same meaning find it, marked as a partial match ("Regenrinne" is not
    # in it, "Dachrinne" is); and by meaning alone it is found too.
    [hit, *_] = search(appliance, "Regenrinne AZ-77-DR")
    assert hit["id"] == body["id"] and hit["match"]["level"] in ("high", "medium")
    # By meaning alone: a sentence of the paper, as written, finds it through its chunk.
    sentence = SENTENCES[1].format(n=5, m=5 * 7 % 97)
    assert search(appliance, sentence, mode="meaning")[0]["id"] == body["id"]


def test_project_embeddings_pass_the_chunks_of_papers_waiting(
    appliance: RunningAppliance, tmp_path: Path
) -> None:
    with appliance.hold(f"task-{EMBED}") as hold:
        first = upload(
            appliance, long_report(tmp_path / "a.txt", 2 * CHUNKS_PER_RUN * 100, "A1", 10_000)
        )
        second = upload(
            appliance, long_report(tmp_path / "b.txt", 2 * CHUNKS_PER_RUN * 100, "B2", 20_000)
        )

        def waiting(document: dict[str, Any]) -> bool:
            state = appliance.client.get(f"{URL}{document['id']}").json()
            return state["status"] == "completed" and state["stage"] == "embedding"

        # The embedding worker holds one paper's first run (whichever paper was read
        # first); the other paper's first run waits in the queue behind it.
        wait_for(lambda: waiting(first) and waiting(second), timeout=300, what="both read")
        reached = hold.with_name(f"{hold.name}.reached")
        wait_for(reached.exists, timeout=300, what="a run held")
        (held,) = [r for r in embed_runs(appliance) if r.state == "STARTED"]
        behind = second if held.args_json.startswith(f'["{first["id"]}"') else first
        created = appliance.client.post(
            "/api/v1/projects/", json={"name": "Dachrinne Haus Sommer", "description": "Rinne"}
        ).json()
    for document in (first, second):
        wait_done(appliance, document["id"], timeout=300)
    project_task = appliance.task(created["task_id"])
    assert project_task.state == "SUCCESS"
    # Queued after the waiting paper's first run, the project's embedding started before it.
    runs = [r for r in embed_runs(appliance) if r.args_json.startswith(f'["{behind["id"]}"')]
    behind_first_run = min(runs, key=lambda r: r.enqueued_at)
    assert behind_first_run.enqueued_at < project_task.enqueued_at
    assert project_task.started_at < behind_first_run.started_at
