"""The projects API's amounts (appliance/projects/money.py): kept exactly to the cent,
refused with a coded 422 when they break a rule, sorted as numbers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from appliance.runtime import Runtime
from tests.api.projects_support import URL, create, listed
from tests.support import on_both_databases

# Sent, and answered (JSON numbers whose text is the amount).
ROUND_TRIPS = [
    (14200.5, 14200.5),
    (0.1, 0.1),
    (0.01, 0.01),
    (2350.5, 2350.5),
    (12345678, 12345678),
    (10000000000, 10000000000),  # the largest amount
    (9999999999.99, 9999999999.99),
    (0, 0),
    ("14200.50", 14200.5),
    ("0.07", 0.07),
    ("10000000000.00", 10000000000),
    (0.1 + 0.2, 0.3),  # a client's float arithmetic, one bit off: still 30 cents
]


@on_both_databases
def test_amounts_come_back_exactly_as_sent(client: TestClient, app_runtime: Runtime) -> None:
    for sent, answered in ROUND_TRIPS:
        body = create(client, {"name": f"Rinne {sent!r}", "estimated_cost": sent})
        assert body["estimated_cost"] == answered, sent
        stored = client.get(f"{URL}{body['id']}").json()
        assert (stored["estimated_cost"], stored["final_cost"]) == (answered, None), sent
        changed = client.patch(f"{URL}{body['id']}", json={"final_cost": sent}).json()
        assert changed["final_cost"] == answered, sent
    # In the database: exact amounts, not floats.
    with app_runtime.db.read() as conn:
        kept = conn.exec_driver_sql("SELECT estimated_cost FROM projects").scalars().all()
    assert {type(value).__name__ for value in kept} == (
        {"int"} if app_runtime.db.dialect == "sqlite" else {"Decimal"}
    )


REFUSED: list[tuple[Any, str, dict[str, Any] | None]] = [
    (14200.505, "money_places", {"decimal_places": 2}),
    ("14200.505", "money_places", {"decimal_places": 2}),
    (0.001, "money_places", {"decimal_places": 2}),
    (-120.0, "money_negative", None),
    ("-5", "money_negative", None),
    (10000000000.01, "money_too_large", {"le": 10000000000}),
    ("99999999999", "money_too_large", {"le": 10000000000}),
    ("14.200,50", "money_format", None),
    ("14200,50", "money_format", None),
    ("zwölf", "money_format", None),
    ("", "money_format", None),
    (True, "money_type", None),
    ([14200], "money_type", None),
    ({"euro": 14200}, "money_type", None),
]


@pytest.mark.parametrize(("sent", "code", "ctx"), REFUSED, ids=[repr(r[0]) for r in REFUSED])
def test_an_amount_that_breaks_a_rule_is_422_with_its_code(
    client: TestClient, sent: Any, code: str, ctx: dict[str, Any] | None
) -> None:
    response = client.post(URL, json={"name": "Dachrinne", "estimated_cost": sent})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "estimated_cost"], code)
    for name, value in (ctx or {}).items():
        assert str(value) in error["msg"], name  # the message names the limit
    assert client.get(URL).json()["count"] == 0


@on_both_databases
def test_a_change_to_an_amount_that_breaks_a_rule_is_422_and_keeps_the_old_one(
    client: TestClient,
) -> None:
    project = create(client, {"name": "Dachrinne", "final_cost": "1800.40"})
    for method in ("patch", "put"):
        response = client.request(
            method, f"{URL}{project['id']}", json={"name": "Dachrinne", "final_cost": 1800.404}
        )
        assert response.status_code == 422
        assert [e["type"] for e in response.json()["detail"]] == ["money_places"]
    assert client.get(f"{URL}{project['id']}").json()["final_cost"] == 1800.4


@on_both_databases
def test_the_list_sorts_by_cost_as_numbers(client: TestClient) -> None:
    # As text, "100" would come before "25" and "9.5"; as floats, the cents could tie.
    costs = ["25", "100", "9.5", "14200.5", "1000000", "0.07", "14200.49"]
    for cost in costs:
        create(client, {"name": f"Kosten {cost}", "estimated_cost": cost})
    ascending = [f"Kosten {c}" for c in sorted(costs, key=float)]
    assert listed(client, sort="estimated_cost") == ascending
    assert listed(client, sort="-estimated_cost") == ascending[::-1]


def test_the_schema_says_which_amounts_are_taken(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    taken = schemas["ProjectCreate"]["properties"]["estimated_cost"]["anyOf"]
    assert {"type": "number", "minimum": 0, "maximum": 10000000000} in taken
    assert any(s.get("pattern", "").startswith("^0*") for s in taken)
    answered = schemas["ProjectPublic"]["properties"]["estimated_cost"]["anyOf"]
    assert answered == [{"type": "number"}, {"type": "null"}]
