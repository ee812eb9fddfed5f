"""Projects for the projects API tests, and the steps they share."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from appliance.projects.indexing import index_projects
from appliance.runtime import Runtime

URL = "/api/v1/projects/"

BAD = {
    "name": "Badsanierung Familie Köhler",
    "description": "Altes Bad entkernen, bodengleiche Dusche mit Ablaufrinne, Wand-WC mit "
    "Vorwandinstallation, großformatige Fliesen 60x120 an Wand und Boden.",
    "customer": "Familie Köhler",
    "trade": "Sanitär",
    "address": "Lindenstraße 12",
    "city": "Augsburg",
    "phase": "beauftragt",
    "estimated_cost": 18500.0,
    "start_date": "2024-03-04",
    "end_date": "2024-03-22",
}
BAD_ZWEI = {
    "name": "Bad im Obergeschoss modernisieren",
    "description": "Badewanne raus, ebenerdige Dusche rein, neue Fliesen, Waschtisch mit "
    "Unterschrank und Heizkörper für Handtücher.",
    "customer": "Herr Yilmaz",
    "trade": "Sanitär",
    "city": "Friedberg",
    "phase": "abgeschlossen",
    "estimated_cost": 12900.0,
}
GAESTE_WC = {
    "name": "Gäste-WC fliesen",
    "description": "Gäste-WC neu fliesen, Spülkasten tauschen, kleines Handwaschbecken.",
    "customer": "Praxis Dr. Lang",
    "trade": "Fliesen",
    "city": "Augsburg",
    "phase": "angeboten",
}
DACH = {
    "name": "Dachsanierung Mehrfamilienhaus",
    "description": "Eindeckung mit Tondachziegeln erneuern, Aufsparrendämmung, Dachrinnen "
    "aus Titanzink und zwei Dachfenster einbauen.",
    "customer": "Hausverwaltung Berger GmbH",
    "trade": "Dach",
    "city": "Ulm",
    "phase": "angeboten",
    "estimated_cost": 64200.0,
}
ELEKTRO = {
    "name": "Elektroinstallation Neubau",
    "description": "Zählerschrank, Unterverteilung, KNX-Steuerung und eine Wallbox in der "
    "Garage für ein Einfamilienhaus.",
    "customer": "Schreiner Bau GmbH",
    "trade": "Elektro",
    "city": "Augsburg",
    "phase": "angefragt",
}
ALL = [BAD, BAD_ZWEI, GAESTE_WC, DACH, ELEKTRO]


def create(client: TestClient, fields: dict[str, Any]) -> dict[str, Any]:
    response = client.post(URL, json=fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def create_all(client: TestClient, bodies: list[dict[str, Any]]) -> list[str]:
    return [create(client, body)["id"] for body in bodies]


def indexed(runtime: Runtime, client: TestClient, bodies: list[dict[str, Any]]) -> list[str]:
    """Create the projects and embed them for real, as the embedding worker would."""
    ids = create_all(client, bodies)
    assert index_projects(runtime, ids).indexed == ids
    return ids


def queued(runtime: Runtime, task_id: str) -> tuple[str, str, list[Any]]:
    """Name, state and positional arguments of a task in the ledger."""
    row = runtime.ledger.get(task_id)
    assert row is not None, f"no ledger row for task {task_id}"
    return row.name, row.state, json.loads(row.args_json)


def tasks_named(runtime: Runtime, name: str) -> int:
    return runtime.history.recent(name=name)[1]


def listed(client: TestClient, **params: Any) -> list[str]:
    """Names of the projects the list returns for `params`."""
    response = client.get(URL, params=params)
    assert response.status_code == 200, response.text
    return [p["name"] for p in response.json()["data"]]


# -- create ------------------------------------------------------------------------------
