"""The seed's API for projects: a SQLite insert and `generate_project_embedding.delay()`.

`POST /api/v1/projects/` answers 201 once the row is written and the task is on Redis, as
the seed's "After: generate_project_embedding.delay() - queues task"; `GET
/api/v1/projects/{id}` shows when the worker has indexed it. The same routes and JSON
shapes as the appliance's, so one benchmark client drives both.

`python -m bench.peer.server PORT` (environment: PEER_REDIS_URL, PEER_DATABASE).
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from bench.peer.worker import connect, generate_project_embedding

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS projects (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
    "description TEXT, trade TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS vectors (project_id TEXT PRIMARY KEY, vector BLOB)",
)


class ProjectIn(BaseModel):
    name: str
    description: str = ""
    trade: str | None = None


app = FastAPI(title="The seed's design (peer)")


@app.post("/api/v1/projects/", status_code=201)
def create_project(project: ProjectIn) -> dict[str, Any]:
    project_id = str(uuid.uuid4())
    created = datetime.now(UTC).isoformat()
    conn = connect()
    try:
        conn.execute(
            "INSERT INTO projects VALUES (?, ?, ?, ?, 'pending', ?)",
            (project_id, project.name, project.description, project.trade, created),
        )
    finally:
        conn.close()
    task = generate_project_embedding.delay(
        project_id, project.description, {"name": project.name, "trade": project.trade}
    )
    return {
        "id": project_id,
        "name": project.name,
        "description": project.description,
        "trade": project.trade,
        "status": "pending",
        "task_id": task.id,
        "created_at": created,
    }


@app.get("/api/v1/projects/stats")
def stats() -> dict[str, int]:
    """Projects by status, as the appliance's `GET /api/v1/projects/stats` counts them."""
    conn = connect()
    try:
        rows = conn.execute("SELECT status, count(*) FROM projects GROUP BY status").fetchall()
    finally:
        conn.close()
    counts = {"pending": 0, "indexed": 0, "failed": 0, **dict(rows)}
    return {"projects": sum(counts.values()), **counts}


@app.get("/api/v1/projects/{project_id}")
def get_project(project_id: str) -> dict[str, Any]:
    conn = connect()
    try:
        row = conn.execute(
            "SELECT id, name, status FROM projects WHERE id = ?", (project_id,)
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        raise HTTPException(404, "Project not found")
    return {"id": row[0], "name": row[1], "status": row[2]}


def main() -> None:
    conn = connect()
    for statement in SCHEMA:
        conn.execute(statement)
    conn.close()
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
