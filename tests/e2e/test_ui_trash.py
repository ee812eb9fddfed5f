"""The Papierkorb in a real browser against the real appliance: a deleted project comes back
with "Rückgängig" or from the Papierkorb with its papers, a document can be removed for
good, and the form warns of a second project of the same name."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    UNLABELLED_CONTROLS,
    Watched,
    create_project,
    open_view,
    row_action,
    shoot,
)
from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e

DOCS = "/api/v1/documents/"


def test_a_deleted_project_is_undone_or_restored_from_the_papierkorb(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    job = create_project(appliance, name=f"Carport Lindner {tag}")
    paper = appliance.client.post(
        f"{DOCS}upload",
        files={"file": (f"aufmass-{tag}.txt", f"Aufmaß Carport {tag}".encode())},
        data={"project_id": job["id"]},
    ).json()
    notices = page.locator("#notices")

    # Deleted, then undone from the notice at once.
    open_view(page, appliance, "projects")
    page.fill("#project-q", tag)
    row = page.locator("#project-rows tr", has_text=job["name"])
    row_action(row, job["name"], "Löschen")
    notice = notices.locator(".notice", has_text="Das Projekt liegt im Papierkorb.")
    expect(notice).to_be_visible()
    assert "Es kommt in den Papierkorb" in watched.questions[-1]
    notice.get_by_role("button", name="Rückgängig").click()
    expect(notices).to_contain_text("Wiederhergestellt.")
    expect(row).to_be_visible()
    assert appliance.client.get(f"{DOCS}{paper['id']}").json()["project_id"] == job["id"]

    # Deleted again, and restored from the Papierkorb, which says how long it stays.
    row_action(row, job["name"], "Löschen")
    expect(row).to_be_hidden()
    page.get_by_role("button", name="Mehr").click()
    page.get_by_role("menuitem", name="Papierkorb").click()
    expect(page).to_have_url(re.compile("#trash$"))
    expect(page.locator("#trash-intro")).to_have_text(re.compile("bleiben hier 30 Tage"))
    entry = page.locator("#trash-rows tr", has_text=job["name"])
    expect(entry).to_contain_text("Projekt")
    expect(entry).to_contain_text("noch 30 Tage")
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    shoot(page, "trash")
    entry.get_by_role("button", name=f"„{job['name']}“ wiederherstellen").click()
    expect(notices).to_contain_text("Wiederhergestellt.")
    expect(entry).to_be_hidden()
    assert appliance.client.get(f"/api/v1/projects/{job['id']}").status_code == 200
    assert appliance.client.get(f"{DOCS}{paper['id']}").json()["project_id"] == job["id"]


def test_a_document_removed_for_good_leaves_the_papierkorb(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    name = f"entwurf-{tag}.txt"
    paper = appliance.client.post(
        f"{DOCS}upload", files={"file": (name, f"Entwurf {tag}".encode())}
    ).json()
    assert appliance.client.delete(f"{DOCS}{paper['id']}").status_code == 200
    page.goto(f"{appliance.url}/?token={appliance.token}#trash")
    entry = page.locator("#trash-rows tr", has_text=name)
    expect(entry).to_contain_text("Dokument")
    entry.get_by_role("button", name=f"„{name}“ endgültig löschen").click()
    expect(page.locator("#notices")).to_contain_text("Endgültig gelöscht.")
    expect(entry).to_be_hidden()
    assert watched.questions == [
        f"„{name}“ endgültig löschen? Das lässt sich nicht rückgängig machen."
    ]
    entries = appliance.client.get("/api/v1/trash").json()["data"]
    assert paper["id"] not in [e["id"] for e in entries]


def test_the_form_warns_of_a_project_name_that_exists_already(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    first = create_project(appliance, name=f"Zaun Becker {tag}")
    open_view(page, appliance, "projects")
    page.get_by_role("button", name="Neues Projekt").click()
    form = page.locator("#project-dialog")
    twin = form.locator("#pf-name-twin")
    form.locator("#pf-name").fill(f"zaun becker {tag}")
    expect(twin).to_have_text(f"Es gibt schon ein Projekt mit diesem Namen: {first['name']}")
    expect(twin.get_by_role("link")).to_have_attribute("href", f"#project/{first['id']}")
    shoot(page, "project-name-twin")
    form.locator("#pf-name").fill(f"Zaun Becker {tag} Nord")
    expect(twin).to_be_hidden()
    # Saving the same name stays possible: two jobs may share one.
    form.locator("#pf-name").fill(first["name"])
    expect(twin).to_be_visible()
    form.get_by_role("button", name="Speichern").click()
    expect(form).to_be_hidden()
    same = appliance.client.get("/api/v1/projects/", params={"name": first["name"]}).json()
    assert same["count"] == 2
