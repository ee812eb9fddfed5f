"""The same appliance on qdrant-client's local-file engine (APPLIANCE_VECTOR_ENGINE=local)."""

from __future__ import annotations

import pytest

from tests.e2e.test_projects import search, wait_indexed
from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e


def test_projects_are_found_with_the_local_engine(fresh_appliance: RunningAppliance) -> None:
    fresh_appliance.env["APPLIANCE_VECTOR_ENGINE"] = "local"
    fresh_appliance.start()
    ids = {}
    for name, trade, description in [
        ("Badsanierung", "Sanitär", "Bad mit bodengleicher Dusche saniert"),
        ("Dachsanierung", "Dach", "Dach neu eingedeckt mit Tonziegeln"),
        ("Wallbox", "Elektro", "Wallbox für das Elektroauto installiert"),
    ]:
        body = fresh_appliance.client.post(
            "/api/v1/projects/", json={"name": name, "trade": trade, "description": description}
        ).json()
        ids[name] = body["id"]
    for project_id in ids.values():
        wait_indexed(fresh_appliance, project_id)
    assert search(fresh_appliance, "Dusche im Bad", limit=1)[0]["id"] == ids["Badsanierung"]
    assert search(fresh_appliance, "Ziegel", trade="Dach")[0]["id"] == ids["Dachsanierung"]
    assert (fresh_appliance.data_dir / "vectors" / "local").is_dir()
    assert not (fresh_appliance.data_dir / "vectors" / "edge").exists()
