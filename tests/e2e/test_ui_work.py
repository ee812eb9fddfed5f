"""The task view for people ("Aufgaben") in a real browser against the real appliance: the
office's files and jobs by name in "In Arbeit", "Probleme" (with what to do) and "Erledigt
heute", each leading to its document or project; searches never show; the technical
console folded away under "Technik" until unfolded, and remembered so."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from appliance.holds import HoldPoints
from tests.e2e.browser import SLOW, UNLABELLED_CONTROLS, Watched, open_technik, open_view, shoot
from tests.fixtures import documents as make
from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e

DOCS = "/api/v1/documents/"


def test_the_office_sees_its_files_and_jobs_by_name_in_three_groups(
    watched: Watched, appliance: RunningAppliance, tmp_path: Path
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:8]
    open_view(page, appliance, "tasks")
    expect(page.locator("#tech")).not_to_have_attribute("open", "")  # folded by default
    expect(page.locator("#worker-rows")).to_be_hidden()

    # A paper being read is "In Arbeit"; once read, it is "Erledigt heute".
    note = f"Aufmass Keller {tag}.txt"
    with appliance.hold(HoldPoints.task("tasks.process_document")):
        upload = appliance.client.post(
            f"{DOCS}upload", files={"file": (note, f"Aufmass Keller {tag} 3,40 m".encode())}
        ).json()
        appliance.wait_state(upload["task_id"], {"STARTED"})
        working = page.locator("#work-working li", has_text=note)
        expect(working).to_contain_text("Dokument")
        expect(working).to_contain_text(re.compile("Wartet|In Arbeit"))
        expect(page.locator("#work-done li", has_text=note)).to_have_count(0)
    done = page.locator("#work-done li", has_text=note)
    expect(done).to_contain_text(re.compile(r"fertig um \d\d:\d\d:\d\d"), timeout=SLOW)
    expect(working).to_have_count(0)

    # A locked file is a problem with what to do, and no retry: it would fail the same way.
    locked = make.encrypted_pdf(tmp_path / f"Rechnung {tag}.pdf", f"Rechnung {tag}", "x")
    with locked.open("rb") as handle:
        appliance.client.post(f"{DOCS}upload", files={"file": (locked.name, handle)})
    problem = page.locator("#work-problems li", has_text=locked.name)
    expect(problem).to_contain_text("Bitte eine Kopie ohne Passwort hochladen.", timeout=SLOW)
    expect(problem.get_by_role("button", name=re.compile("Erneut versuchen"))).to_have_count(0)
    expect(page.locator("#work-problems-count")).to_have_text(re.compile(r"^\(\d+\)$"))

    # Searches are no work of the office: nothing of them shows, not even in the history.
    assert appliance.client.get(f"{DOCS}search", params={"q": f"Keller {tag}"}).status_code == 200
    searched = appliance.client.post("/api/v1/projects/search", json={"query": "Keller"})
    assert searched.status_code == 200
    expect(page.locator("#view-tasks")).not_to_contain_text("Suchtext")
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    shoot(page, "tasks-people")

    # Each entry leads on: the file to its dialog.
    done.get_by_role("button", name=note).click()
    dialog = page.locator("#doc-dialog")
    expect(dialog.locator("#doc-text")).to_contain_text(f"Aufmass Keller {tag}")
    dialog.get_by_role("button", name="Schließen").click()

    # The technical console unfolds, and stays unfolded after a reload.
    open_technik(page)
    expect(page.locator("#worker-rows tr").first).to_contain_text("online")
    expect(page.locator("#history-rows")).not_to_contain_text("Suchtext erfassen")
    shoot(page, "tasks-technik")
    page.reload()
    expect(page.locator("#tech")).to_have_attribute("open", "")
    expect(page.locator("#worker-rows tr").first).to_contain_text("online")

    # In English the groups and the advice are English.
    page.get_by_label("Sprache").select_option("en")
    expect(page.locator("#work-done-title")).to_contain_text("Done today")
    expect(page.locator("#work-problems li", has_text=locked.name)).to_contain_text(
        "Please upload a copy without the password."
    )
    page.get_by_label("Language").select_option("de")


def test_a_job_being_indexed_is_in_work_and_leads_to_its_page(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    name = f"Dachrinne Schulz {uuid.uuid4().hex[:8]}"
    open_view(page, appliance, "tasks")
    with appliance.hold(HoldPoints.task("tasks.generate_project_embedding")):
        project = appliance.client.post("/api/v1/projects/", json={"name": name}).json()
        appliance.wait_state(project["task_id"], {"STARTED"})
        working = page.locator("#work-working li", has_text=name)
        expect(working).to_contain_text("Projekt")
        expect(working).to_contain_text("Wird erfasst …")
    done = page.locator("#work-done li", has_text=name)
    expect(done).to_contain_text("Erfasst", timeout=SLOW)
    done.get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(f"#project/{project['id']}$"))
    expect(page.locator("#page-title")).to_have_text(name)
