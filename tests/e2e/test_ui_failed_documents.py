"""Failed documents a person understands, in a real browser against the real appliance: a
file that cannot be read says why and what to do, with no retry that would fail the same
way; a failure another try may help offers it once; the task monitor names the file and
counts its failure once."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from appliance.holds import HoldPoints
from tests.e2e.browser import SLOW, Watched, open_technik, open_view, shoot
from tests.fixtures import documents as make
from tests.support import RunningAppliance, wait_for

pytestmark = pytest.mark.e2e

RETRY = "Erneut versuchen"


def test_a_damaged_pdf_says_what_to_do_and_offers_no_retry(
    watched: Watched, appliance: RunningAppliance, tmp_path: Path
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:8]
    damaged = make.truncated_pdf(
        tmp_path / f"Angebot Keller {tag}.pdf", [f"{make.INVOICE} {tag}", make.QUOTE, make.INVOICE]
    )
    failed_before = appliance.client.get("/api/v1/tasks/summary").json()["tasks"]["failed"]
    open_view(page, appliance, "documents")

    page.set_input_files("#file-input", [damaged])
    row = page.locator("#doc-rows tr", has_text=damaged.name)
    expect(row).to_contain_text("Die Datei ist beschädigt oder unvollständig.", timeout=SLOW)
    expect(row).to_contain_text("Bitte neu speichern oder scannen und erneut hochladen.")
    expect(row.get_by_role("button", name=RETRY)).to_have_count(0)
    uploaded = page.locator("#upload-list li", has_text=damaged.name)
    expect(uploaded).to_contain_text("Fehlgeschlagen")
    expect(uploaded.get_by_role("button", name=RETRY)).to_have_count(0)
    shoot(page, "document-failed")

    row.get_by_role("button", name=damaged.name).click()
    dialog = page.locator("#doc-dialog")
    expect(dialog.locator("#doc-text")).to_have_text(
        "Kein Text – die Datei konnte nicht gelesen werden."
    )
    expect(dialog).to_contain_text("Bitte neu speichern oder scannen und erneut hochladen.")
    expect(dialog.get_by_role("button", name=RETRY)).to_have_count(0)
    dialog.get_by_role("button", name="Schließen").click()

    # The task view for people lists it under "Probleme" with what to do, no retry.
    open_view(page, appliance, "tasks")
    problem = page.locator("#work-problems li", has_text=damaged.name)
    expect(problem).to_contain_text("Fehlgeschlagen")
    expect(problem).to_contain_text("Bitte neu speichern oder scannen und erneut hochladen.")
    expect(problem.get_by_role("button", name=re.compile(RETRY))).to_have_count(0)
    expect(page.locator("#tech")).not_to_have_attribute("open", "")  # folded away
    problem.get_by_role("button", name=damaged.name).click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Schließen").click()

    # The monitor names the file, counts its failure once and offers no restart either.
    open_technik(page)
    failed = page.locator("#failed-rows tr", has_text=damaged.name)
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text(f"Dokument verarbeiten: {damaged.name}")
    expect(failed).to_contain_text("Neustart hilft nicht")
    expect(failed.get_by_role("button")).to_have_count(0)
    expect(page.locator("#history-rows tr", has_text=damaged.name)).to_have_count(1)
    expect(page.locator("#stat-failed")).to_have_text(str(failed_before + 1))
    failed.scroll_into_view_if_needed()
    shoot(page, "tasks-document-failed")


def test_a_failure_another_try_may_help_offers_it_once_in_the_list_and_once_in_the_dialog(
    watched: Watched, appliance: RunningAppliance, tmp_path: Path
) -> None:
    page = watched.page
    note = make.cp1252_txt(tmp_path / f"Notiz {uuid.uuid4().hex[:8]}.txt", "Rückruf Heizung")
    open_view(page, appliance, "documents")
    # Stopped in the monitor while it is read ("Abbrechen"): a failure outside the file.
    with appliance.hold(HoldPoints.task("tasks.process_document")):
        page.set_input_files("#file-input", [note])
        task_id = wait_for(
            lambda: next(
                (
                    d["task_id"]
                    for d in appliance.client.get("/api/v1/documents/").json()["data"]
                    if d["original_name"] == note.name
                ),
                None,
            ),
            timeout=30,
            what=f"{note.name} uploaded",
        )
        appliance.wait_state(task_id, {"STARTED"})
        stop = appliance.client.post(f"/api/v1/tasks/task/{task_id}/revoke?terminate=true")
        assert stop.status_code == 200, stop.text

    row = page.locator("#doc-rows tr", has_text=note.name)
    expect(row).to_contain_text("Die Verarbeitung wurde abgebrochen.", timeout=SLOW)
    expect(row.get_by_role("button", name=RETRY)).to_have_count(1)
    uploaded = page.locator("#upload-list li", has_text=note.name)
    expect(uploaded.get_by_role("button", name=RETRY)).to_have_count(0)
    # The task view for people offers it too, with what to do.
    page.locator("nav a[data-view='tasks']").click()
    problem = page.locator("#work-problems li", has_text=note.name)
    expect(problem).to_contain_text("Die Verarbeitung wurde abgebrochen.")
    expect(problem).to_contain_text("Bitte „Erneut versuchen“ wählen.")
    expect(problem.get_by_role("button", name=f"{RETRY}: {note.name}")).to_have_count(1)
    page.locator("nav a[data-view='documents']").click()

    row.get_by_role("button", name=note.name).click()
    dialog = page.locator("#doc-dialog")
    expect(dialog.locator("#doc-text")).to_have_text(
        "Kein Text – die Datei konnte nicht gelesen werden."
    )
    expect(dialog.get_by_role("button", name=RETRY)).to_have_count(1)

    dialog.get_by_role("button", name=RETRY).click()
    expect(page.locator("#notices")).to_contain_text("Das Dokument wird erneut verarbeitet.")
    expect(dialog.locator("#doc-text")).to_contain_text("Rückruf Heizung", timeout=SLOW)
    expect(row).to_contain_text("Fertig", timeout=SLOW)
    # The same task ran again: the monitor shows one task for the file.
    assert appliance.task(task_id).state == "SUCCESS"
    appliance.wait_healthy()  # the stopped worker is back for the tests after this one
