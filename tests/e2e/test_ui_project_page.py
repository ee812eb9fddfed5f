"""A project's own page (#project/<id>) in a real browser against the real appliance: the job
read-only in German form, its documents with an upload into it, similar jobs leading on."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Locator, expect

from appliance.holds import HoldPoints
from tests.e2e.browser import (
    SLOW,
    UNLABELLED_CONTROLS,
    Watched,
    create_indexed,
    open_view,
    row_action,
    shoot,
)
from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e

# Whatever can be typed into on the page; its only input is the upload's file picker.
EDITABLE = "input:not([type=file]), textarea, select, [contenteditable]"


def test_a_project_page_shows_the_job_its_documents_and_similar_jobs(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    past = create_indexed(
        appliance,
        name=f"Bad saniert Meier {tag}",
        trade="Sanitär",
        city="Köln",
        phase="abgeschlossen",
        estimated_cost=13000,
        final_cost=14200,
        start_date="2023-03-06",
        end_date="2023-04-28",
        description="Badsanierung mit bodengleicher Dusche, neue Fliesen und Hänge-WC.",
    )
    job = create_indexed(
        appliance,
        name=f"Badumbau Schulz {tag}",
        customer="Familie Schulz",
        trade="Sanitär",
        address="Lindenweg 3",
        city="Bonn",
        phase="angeboten",
        estimated_cost=14200.5,
        start_date="2024-05-02",
        end_date="2024-06-14",
        description="Altes Bad raus, bodengleiche Dusche.\n<b>Fliesen</b> neu.",
    )
    open_view(page, appliance, "projects")
    page.fill("#project-q", tag)
    page.locator("#project-rows").get_by_role("link", name=job["name"]).click()

    # The job as a person reads it, in German form, and nothing on the page to type into.
    view = page.locator("#view-project")
    expect(page).to_have_url(re.compile(f"#project/{job['id']}$"))
    expect(page.locator("#page-title")).to_have_text(job["name"])

    def field(name: str) -> Locator:
        return page.locator(f"#page-meta dd[data-field='{name}']")

    for name, text in {
        "phase": "Angeboten",
        "customer": "Familie Schulz",
        "trade": "Sanitär",
        "address": "Lindenweg 3",
        "city": "Bonn",
        "estimated_cost": "14.200,50 €",
        "final_cost": "–",
        "start_date": "02.05.2024",
        "end_date": "14.06.2024",
        "status": "Erfasst",
    }.items():
        expect(field(name)).to_have_text(text)
    description = page.locator("#page-description")
    expect(description).to_have_text("Altes Bad raus, bodengleiche Dusche.\n<b>Fliesen</b> neu.")
    assert description.locator("b").count() == 0  # shown as text, never as markup
    assert view.locator(EDITABLE).count() == 0
    assert page.evaluate(UNLABELLED_CONTROLS) == []

    # Similar jobs: cost and year at a glance.
    alike = page.locator("#page-similar-rows tr", has_text=past["name"])
    expect(alike).to_contain_text("14.200,00 €")
    expect(alike).to_contain_text("2023")
    expect(alike.locator(".level")).to_have_text(re.compile("^(hoch|mittel)$"))

    # An upload right on the page lands in this project and shows its state live.
    note = f"Aufmass {tag}.txt"
    page.set_input_files(
        "#page-file-input",
        files=[{"name": note, "mimeType": "text/plain", "buffer": f"Aufmaß Bad {tag}".encode()}],
    )
    row = page.locator("#page-doc-rows tr", has_text=note)
    expect(row).to_contain_text("Fertig", timeout=SLOW)
    listed = appliance.client.get("/api/v1/documents/", params={"project_id": job["id"]}).json()
    assert [d["original_name"] for d in listed["data"]] == [note]
    shoot(page, "project-page")

    # The address is the page: a reload shows the same project.
    page.reload()
    expect(page.locator("#page-title")).to_have_text(job["name"])
    expect(row).to_contain_text("Fertig")

    # "Bearbeiten" opens the form; what was saved shows on the page.
    view.get_by_role("button", name="Bearbeiten", exact=True).click()
    form = page.locator("#project-dialog")
    form.locator("#pf-phase").select_option("beauftragt")
    form.locator("#pf-final_cost").fill("15000")
    form.get_by_role("button", name="Speichern").click()
    expect(form).to_be_hidden()
    expect(field("phase")).to_have_text("Beauftragt")
    expect(field("final_cost")).to_have_text("15.000,00 €")

    # A similar job's row leads to its page; the browser's back button returns.
    alike.get_by_role("link", name=past["name"]).click()
    expect(page).to_have_url(re.compile(f"#project/{past['id']}$"))
    expect(page.locator("#page-title")).to_have_text(past["name"])
    expect(field("final_cost")).to_have_text("14.200,00 €")
    expect(field("end_date")).to_have_text("28.04.2023")
    expect(page.locator("#page-doc-empty")).to_be_visible()
    page.go_back()
    expect(page.locator("#page-title")).to_have_text(job["name"])
    expect(field("final_cost")).to_have_text("15.000,00 €")

    # A project not indexed yet says why it has no similar jobs, and shows them once it is.
    with appliance.hold(HoldPoints.task("tasks.generate_project_embedding")):
        fresh = appliance.client.post(
            "/api/v1/projects/", json={"name": f"Gäste-WC {tag}", "description": "WC und Dusche."}
        ).json()
        page.goto(f"{appliance.url}/#project/{fresh['id']}")
        expect(field("status")).to_have_text("Wird erfasst …")
        expect(page.locator("#page-similar-message")).to_have_text(
            "Ähnliche Aufträge erscheinen, sobald das Projekt erfasst ist."
        )
    expect(field("status")).to_have_text("Erfasst", timeout=SLOW)
    expect(page.locator("#page-similar-table")).to_be_visible()
    expect(page.locator("#page-similar-message")).to_be_hidden()

    # A wrong address says so in a sentence, with a way back to the list.
    page.goto(f"{appliance.url}/#project/gibt-es-nicht-{tag}")
    expect(page.locator("#page-missing")).to_contain_text(
        "Dieses Projekt gibt es nicht (mehr) – vielleicht wurde es gelöscht."
    )
    expect(page.locator("#page-title")).to_have_text("Projekt nicht gefunden")
    page.locator("#page-missing").get_by_role("link", name="Zur Projektliste").click()
    expect(page.locator("#view-projects")).to_be_visible()

    # The projects view's similar jobs show cost and year too, and lead to the page.
    row_action(page.locator("#project-rows tr", has_text=job["name"]), job["name"], "Ähnliche")
    dialog_row = page.locator("#similar-rows tr", has_text=past["name"])
    expect(dialog_row).to_contain_text("14.200,00 €")
    expect(dialog_row).to_contain_text("2023")
    dialog_row.get_by_role("link", name=past["name"]).click()
    expect(page.locator("#similar-dialog")).to_be_hidden()
    expect(page.locator("#page-title")).to_have_text(past["name"])

    # In English the page speaks English; dates stay as the office writes them.
    page.get_by_label("Sprache").select_option("en")
    expect(page.locator("#page-meta")).to_contain_text("Final cost")
    expect(field("end_date")).to_have_text("28.04.2023")
    expect(page.locator("#page-similar-title")).to_have_text("Similar jobs")


def test_skipping_to_the_content_stays_on_the_page(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    job = create_indexed(appliance, name=f"Sprungmarke {uuid.uuid4().hex[:6]}")
    page.goto(f"{appliance.url}/?token={appliance.token}#project/{job['id']}")
    expect(page.locator("#page-title")).to_have_text(job["name"])
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#page-title")).to_be_focused()
    expect(page).to_have_url(re.compile(f"#project/{job['id']}$"))
    expect(page.locator("#view-project")).to_be_visible()
