"""The price hint ("Kalkulationshilfe"): what the completed jobs most like a job cost,
with the real model (in-process) and the real vector store."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from appliance.runtime import Runtime
from appliance.wording import Language, say
from tests.api.projects_support import URL, create, indexed

# Each test with a database runs on SQLite and on a real PostgreSQL server (conftest.py).
ON_BOTH_DATABASES = True


def bathroom(name: str, final_cost: float | None, **fields: Any) -> dict[str, Any]:
    """A completed bathroom job: alike enough to each other to count for a hint."""
    return {
        "name": name,
        "description": "Altes Bad komplett sanieren: Badewanne raus, bodengleiche Dusche, "
        "neue Fliesen an Wand und Boden, Wand-WC mit Vorwandinstallation, Waschtisch.",
        "trade": "Sanitär",
        "phase": "abgeschlossen",
        "final_cost": final_cost,
        **fields,
    }


NEW_BATHROOM = {
    "name": "Badsanierung Familie Wagner",
    "description": "Bad sanieren, Badewanne gegen bodengleiche Dusche tauschen, neue "
    "Fliesen, Wand-WC mit Vorwandinstallation.",
    "trade": "Sanitär",
    "phase": "angefragt",
}
ROOF = {
    "name": "Dachsanierung Mehrfamilienhaus",
    "description": "Eindeckung mit Tondachziegeln erneuern, Aufsparrendämmung, Dachrinnen "
    "aus Titanzink und zwei Dachfenster einbauen.",
    "trade": "Dach",
    "phase": "abgeschlossen",
    "final_cost": 64200,
}


def hint(client: TestClient, project_id: str) -> dict[str, Any]:
    response = client.get(f"{URL}{project_id}/price-hint")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_five_jobs_give_the_median_and_the_middle_half_not_the_outlier(
    client: TestClient, app_runtime: Runtime
) -> None:
    costs = [14000, 9000, 30000, 12400, 11000]
    past = [bathroom(f"Bad Nummer {n}", cost) for n, cost in enumerate(costs)]
    new, *_ = indexed(app_runtime, client, [NEW_BATHROOM, *past])
    body = hint(client, new)
    assert body["based_on"] == 5
    # Sorted 9000, 11000, 12400, 14000, 30000: quartiles at positions 1 and 3.
    assert (body["median"], body["low"], body["high"]) == (12400, 11000, 14000)
    assert sorted(job["final_cost"] for job in body["similar"]) == sorted(costs)
    scores = [job["score"] for job in body["similar"]]
    assert scores == sorted(scores, reverse=True)
    assert set(body["similar"][0]) == {"id", "name", "final_cost", "score"}


def test_below_four_jobs_the_range_is_lowest_to_highest(
    client: TestClient, app_runtime: Runtime
) -> None:
    past = [
        bathroom("Bad oben", 9000.5),
        bathroom("Bad unten", 15300),
        bathroom("Bad Mitte", 12000),
    ]
    new, *_ = indexed(app_runtime, client, [NEW_BATHROOM, *past])
    body = hint(client, new)
    assert body["based_on"] == 3
    assert (body["low"], body["median"], body["high"]) == (9000.5, 12000, 15300)


def test_only_completed_jobs_with_a_final_cost_count_and_never_the_job_itself(
    client: TestClient, app_runtime: Runtime
) -> None:
    own = bathroom("Das Bad selbst, schon fertig", 99000)
    running = {**bathroom("Bad beauftragt", 50000), "phase": "beauftragt"}
    quoted = {**bathroom("Bad angeboten", None), "phase": "angeboten", "estimated_cost": 40000}
    no_invoice = bathroom("Bad ohne Schlussrechnung", None)
    counted = bathroom("Bad abgerechnet", 13250.75)
    ids = indexed(app_runtime, client, [own, running, quoted, no_invoice, counted])
    body = hint(client, ids[0])
    assert [job["id"] for job in body["similar"]] == [ids[4]]
    assert (body["based_on"], body["median"]) == (1, 13250.75)


def heating(
    name: str, kind: str, final_cost: float | None, phase: str = "abgeschlossen"
) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"Alte Ölheizung ausbauen und {kind} einbauen, Heizkreise spülen, "
        "hydraulischen Abgleich machen, Altanlage entsorgen.",
        "trade": "Heizung",
        "phase": phase,
        "final_cost": final_cost,
    }


def test_a_hint_rests_on_jobs_of_the_same_kind_not_all_of_the_trade(
    client: TestClient, app_runtime: Runtime
) -> None:
    new = heating("Wärmepumpe Familie Ahrens", "Luft-Wasser-Wärmepumpe", None, "angefragt")
    past = [
        heating("Wärmepumpe Familie Vogt", "Luft-Wasser-Wärmepumpe", 31000),
        heating("Wärmepumpe Herr Kaya", "Luft-Wasser-Wärmepumpe", 29000),
        heating("Gastherme Frau Lenz", "Gas-Brennwerttherme", 9000),
        heating("Gastherme Herr Roth", "Gas-Brennwerttherme", 8200),
    ]
    new_id, *_ = indexed(app_runtime, client, [new, *past])
    body = hint(client, new_id)
    assert sorted(job["name"] for job in body["similar"]) == [
        "Wärmepumpe Familie Vogt",
        "Wärmepumpe Herr Kaya",
    ]
    assert (body["low"], body["median"], body["high"]) == (29000, 30000, 31000)


def test_a_job_unlike_every_completed_one_has_no_hint(
    client: TestClient, app_runtime: Runtime
) -> None:
    new, _roof = indexed(app_runtime, client, [NEW_BATHROOM, ROOF])
    body = hint(client, new)
    assert body == {"based_on": 0, "median": None, "low": None, "high": None, "similar": []}


def test_before_its_embedding_the_hint_is_409_saying_so_in_german(client: TestClient) -> None:
    project_id = create(client, NEW_BATHROOM)["id"]
    response = client.get(f"{URL}{project_id}/price-hint")
    assert response.status_code == 409
    body = response.json()
    assert body["error_code"] == "price_hint_not_indexed"
    assert body["detail"] == say("price_hint_not_indexed", Language.DE, id=project_id)
    assert "Kalkulationshilfe" in body["detail"]


def test_an_unknown_project_has_no_hint(client: TestClient) -> None:
    response = client.get(f"{URL}no-such-project/price-hint")
    assert response.status_code == 404
    assert response.json()["error_code"] == "project_not_found"


def test_a_draft_gets_the_hint_of_its_text_before_it_is_saved(
    client: TestClient, app_runtime: Runtime
) -> None:
    indexed(app_runtime, client, [bathroom("Bad A", 10000), bathroom("Bad B", 20000), ROOF])
    draft = {key: NEW_BATHROOM[key] for key in ("name", "trade", "description")}
    body = client.post(f"{URL}price-hint", json=draft).json()
    assert (body["based_on"], body["low"], body["median"], body["high"]) == (2, 10000, 15000, 20000)
    assert {job["name"] for job in body["similar"]} == {"Bad A", "Bad B"}


def test_the_job_being_edited_is_left_out_of_its_draft_hint(
    client: TestClient, app_runtime: Runtime
) -> None:
    own, other = indexed(app_runtime, client, [bathroom("Bad X", 10000), bathroom("Bad Y", 20000)])
    draft = {"name": "Bad X", "description": bathroom("", None)["description"], "project_id": own}
    body = client.post(f"{URL}price-hint", json=draft).json()
    assert [job["id"] for job in body["similar"]] == [other]


def test_an_empty_draft_has_no_hint_and_a_wrong_one_is_refused(client: TestClient) -> None:
    assert client.post(f"{URL}price-hint", json={"name": " "}).json()["based_on"] == 0
    response = client.post(f"{URL}price-hint", json={"name": "x" * 201})
    assert response.status_code == 422
