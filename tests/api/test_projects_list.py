"""The projects API's list: pages, filters (case, umlauts, ß), text search, sorting."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from appliance.projects.lifecycle import mark_failed
from appliance.runtime import Runtime
from tests.api.projects_support import (
    ALL,
    BAD,
    DACH,
    ELEKTRO,
    URL,
    create,
    create_all,
    listed,
)
from tests.support import on_both_databases


@on_both_databases
def test_list_pages_with_the_total_count(client: TestClient) -> None:
    ids = create_all(client, ALL)
    pages = [client.get(URL, params={"limit": 2, "offset": n}).json() for n in (0, 2, 4)]
    assert [page["count"] for page in pages] == [5, 5, 5]
    assert [len(page["data"]) for page in pages] == [2, 2, 1]
    # Newest first by default; the pages neither overlap nor leave a project out.
    assert [p["id"] for page in pages for p in page["data"]] == ids[::-1]


@on_both_databases
def test_list_filters_by_trade_ignoring_case(client: TestClient) -> None:
    create_all(client, ALL)
    assert listed(client, trade="SANITÄR", sort="name") == [
        "Bad im Obergeschoss modernisieren",
        "Badsanierung Familie Köhler",
    ]
    assert listed(client, trade="elektro") == ["Elektroinstallation Neubau"]


def test_list_filters_by_phase(client: TestClient) -> None:
    create_all(client, ALL)
    assert listed(client, phase="angeboten", sort="name") == [
        "Dachsanierung Mehrfamilienhaus",
        "Gäste-WC fliesen",
    ]


@on_both_databases
def test_list_filters_by_city(client: TestClient) -> None:
    create_all(client, ALL)
    assert listed(client, city="augsburg", sort="name") == [
        "Badsanierung Familie Köhler",
        "Elektroinstallation Neubau",
        "Gäste-WC fliesen",
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("dachsanierung", "Dachsanierung Mehrfamilienhaus"),  # in the name
        ("Wallbox", "Elektroinstallation Neubau"),  # in the description
        ("berger", "Dachsanierung Mehrfamilienhaus"),  # in the customer
    ],
)
@on_both_databases
def test_list_finds_text_in_name_description_or_customer(
    client: TestClient, text: str, name: str
) -> None:
    create_all(client, ALL)
    assert listed(client, q=text) == [name]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # A part of a word, and the trade field.
        ("Sanit", ["Badsanierung Familie Köhler", "Bad im Obergeschoss modernisieren"]),
        # Two words, each somewhere: a compound in the name, the city in its field.
        ("Badsanierung Augsburg", ["Badsanierung Familie Köhler"]),
        # A compound whose parts stand apart ("Bad ... modernisieren", "Fliesen").
        ("Badfliesen", ["Badsanierung Familie Köhler", "Bad im Obergeschoss modernisieren"]),
        # Another ending, and umlauts typed as ae/oe/ue.
        ("Heizkoerpern", ["Bad im Obergeschoss modernisieren"]),
        ("Spuelkasten", ["Gäste-WC fliesen"]),
        ("12", ["Badsanierung Familie Köhler"]),  # a number, as typed (Lindenstraße 12)
    ],
)
@on_both_databases
def test_list_text_filter_finds_every_word_in_any_form(
    client: TestClient, text: str, names: list[str]
) -> None:
    create_all(client, ALL)
    assert sorted(listed(client, q=text)) == sorted(names)


@on_both_databases
def test_list_text_search_treats_wildcards_literally(client: TestClient) -> None:
    discount = create(client, {"name": "Rabatt 10% auf Fliesen", "customer": "Maier_Bau"})
    create(client, {"name": "Fassade", "customer": "Lehmann"})
    assert listed(client, q="%") == [discount["name"]]
    assert listed(client, q="_") == [discount["name"]]
    assert listed(client, q="FLIESEN") == [discount["name"]]


@on_both_databases
def test_list_filters_by_embedding_status(client: TestClient, app_runtime: Runtime) -> None:
    elektro = create(client, ELEKTRO)
    create(client, DACH)
    mark_failed(app_runtime.db, elektro["id"], elektro["task_id"], "model folder unreadable")
    assert listed(client, status="failed") == ["Elektroinstallation Neubau"]
    assert listed(client, status="pending") == ["Dachsanierung Mehrfamilienhaus"]
    assert listed(client, status="indexed") == []


@on_both_databases
def test_list_sorts_by_name_both_ways(client: TestClient) -> None:
    create_all(client, [DACH, BAD, ELEKTRO])
    names = ["Badsanierung Familie Köhler", "Dachsanierung Mehrfamilienhaus"]
    names.append("Elektroinstallation Neubau")
    assert listed(client, sort="name") == names
    assert listed(client, sort="-name") == names[::-1]


def test_list_by_an_unknown_sort_field_is_422_naming_the_allowed(client: TestClient) -> None:
    response = client.get(URL, params={"sort": "-preis"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "sort"]
    # The allowed fields are in the message (the schema's pattern lists them).
    assert error["input"] == "-preis" and "estimated_cost" in error["msg"]


# -- patch and put -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "stored", "asked"),
    [
        ("city", "Gießen", "Gießen"),
        ("city", "Überlingen", "überlingen"),
        ("trade", "Straßenbau", "Straßenbau"),
        ("trade", "Ölfeuerung", "ölfeuerung"),
    ],
)
@on_both_databases
def test_list_filter_matches_german_letters(
    client: TestClient, field: str, stored: str, asked: str
) -> None:
    create(client, {**DACH, field: stored})
    assert client.get(URL, params={field: asked}).json()["count"] == 1


@on_both_databases
def test_the_name_filter_finds_exactly_that_name_in_any_case(client: TestClient) -> None:
    """What the form asks before saving, to warn of a second project of the same name."""
    create_all(
        client,
        [
            {"name": "Badsanierung Müller"},
            {"name": "  BADSANIERUNG MÜLLER "},
            {"name": "Badsanierung Müller 2"},
            {"name": "Bad Müller"},
        ],
    )
    same = listed(client, name="badsanierung müller")
    assert sorted(same) == sorted(["Badsanierung Müller", "BADSANIERUNG MÜLLER"])
    assert listed(client, name="  Badsanierung Müller  ") == listed(
        client, name="badsanierung müller"
    )
    assert listed(client, name="Badsanierung") == []
