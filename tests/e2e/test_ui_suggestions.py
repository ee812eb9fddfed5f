""" "Gehört vermutlich zu: …" in a real browser against the real appliance: a paper without
a project, read by a real worker, is offered the job it names, and one click links it."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import UNLABELLED_CONTROLS, Watched, create_indexed, open_view, shoot
from tests.support import RunningAppliance, wait_for

pytestmark = pytest.mark.e2e

DOCS = "/api/v1/documents/"


def test_a_paper_without_a_project_is_offered_the_job_it_names_and_linked_in_one_click(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    street = f"Glockengießerweg {tag}"
    job = create_indexed(
        appliance,
        name=f"Wintergarten Familie Brandt {tag}",
        customer=f"Familie Brandt {tag}",
        address=street,
        trade="Metallbau",
        description="Wintergarten aus Aluminium mit Isolierverglasung an die Terrasse bauen.",
    )
    name = f"Lieferschein {tag}.txt"
    text = f"Lieferschein\nLieferadresse: {street}\n12 Profile, 4 Glasscheiben, Dichtband."
    paper = appliance.client.post(
        f"{DOCS}upload", files={"file": (name, text.encode(), "text/plain")}
    ).json()
    wait_for(
        lambda: appliance.client.get(f"{DOCS}{paper['id']}").json()["status"] == "completed",
        timeout=120,
        what=f"{name} read",
    )

    open_view(page, appliance, "documents")
    row = page.locator(f"#doc-rows tr[data-id='{paper['id']}']")
    row.get_by_role("button", name=name).click()
    dialog = page.locator("#doc-dialog")
    offer = dialog.locator("#doc-suggest")
    expect(offer).to_contain_text("Gehört vermutlich zu:")
    expect(offer.locator("li").first).to_contain_text(job["name"])
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    shoot(page, "document-suggested-project")

    offer.get_by_role("button", name=f"Dem Projekt „{job['name']}“ zuordnen").click()
    expect(page.locator("#notices")).to_contain_text(f"Dem Projekt „{job['name']}“ zugeordnet.")
    expect(dialog.get_by_label("Projekt", exact=True)).to_have_value(job["id"])
    expect(offer).to_be_hidden()
    assert appliance.client.get(f"{DOCS}{paper['id']}").json()["project_id"] == job["id"]

    # Unlinked again, it is offered again.
    dialog.get_by_label("Projekt", exact=True).select_option(label="– kein Projekt –")
    expect(offer.locator("li").first).to_contain_text(job["name"])


def test_an_upload_to_no_project_offers_its_job_once_read(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    customer = f"Bäckerei Hofmann {tag}"
    job = create_indexed(
        appliance,
        name=f"Backstube Elektrik {tag}",
        customer=customer,
        trade="Elektro",
        description="Starkstromanschluss für zwei Etagenöfen und neue Unterverteilung.",
    )
    open_view(page, appliance, "documents")
    expect(page.locator("#upload-project")).to_have_value("")
    name = f"Rechnung {tag}.txt"
    text = f"Rechnung an {customer}\nArbeitszeit Elektromeister 6 Stunden, Material lt. Liste."
    page.set_input_files(
        "#file-input", files=[{"name": name, "mimeType": "text/plain", "buffer": text.encode()}]
    )
    row = page.locator("#upload-list li", has_text=name)
    expect(row).to_contain_text(f"Gehört vermutlich zu: {job['name']}", timeout=60_000)
    shoot(page, "upload-suggested-project")
    row.get_by_role("button", name=f"Dem Projekt „{job['name']}“ zuordnen").click()
    expect(row).to_contain_text(f"Dem Projekt „{job['name']}“ zugeordnet.")
    listed = appliance.client.get(DOCS, params={"project_id": job["id"]}).json()["data"]
    assert [d["original_name"] for d in listed] == [name]
