"""Linking documents to projects in a real browser: the upload's project choice and its
reset, "Zuordnen" for a file that was already there, the document dialog's project field,
and the count of documents a project's deletion unlinks."""

from __future__ import annotations

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


def linked_to(appliance: RunningAppliance, document_id: str) -> str | None:
    project: str | None = appliance.client.get(f"{DOCS}{document_id}").json()["project_id"]
    return project


def test_documents_are_linked_on_upload_in_the_dialog_and_unlinked_with_their_project(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    heizung = create_project(appliance, name=f"Heizung Meier {tag}")
    dach = create_project(appliance, name=f"Dach Schulz {tag}")
    note = f"Notiz Heizung {tag}".encode()
    earlier = appliance.client.post(
        f"{DOCS}upload", files={"file": ("notiz.txt", note)}
    ).json()  # uploaded before, without a project
    notices = page.locator("#notices")

    # The choice shows at the drop zone; the batch goes to it, then the choice resets.
    open_view(page, appliance, "documents")
    target = page.locator("#upload-target")
    expect(target).to_have_text("Neue Dateien kommen zu keinem Projekt.")
    page.select_option("#upload-project", label=heizung["name"])
    expect(target).to_have_text(f"Neue Dateien kommen zu: {heizung['name']}")
    offer = f"Angebot {tag}.txt"
    again = f"Notiz nochmal {tag}.txt"
    page.set_input_files(
        "#file-input",
        files=[
            {"name": offer, "mimeType": "text/plain", "buffer": f"Angebot {tag}".encode()},
            {"name": again, "mimeType": "text/plain", "buffer": note},
        ],
    )
    expect(notices).to_contain_text(
        f"Dateien an „{heizung['name']}“ übertragen. Neue Dateien kommen wieder zu keinem Projekt."
    )
    expect(page.locator("#upload-project")).to_have_value("")
    expect(target).to_have_text("Neue Dateien kommen zu keinem Projekt.")
    listed = appliance.client.get(DOCS, params={"project_id": heizung["id"]}).json()["data"]
    assert [d["original_name"] for d in listed] == [offer]

    # The file that was already there says so and is linked with one click.
    row = page.locator("#upload-list li", has_text=again)
    expect(row).to_contain_text("Schon vorhanden – es wurde nichts doppelt gespeichert.")
    expect(row).to_contain_text("Bisher ohne Projekt.")
    expect(page.locator("#upload-list li", has_text=offer).get_by_role("button")).to_have_count(1)
    shoot(page, "document-link-duplicate")
    row.get_by_role("button", name="zuordnen").click()
    expect(notices).to_contain_text(f"Dem Projekt „{heizung['name']}“ zugeordnet.")
    expect(row.get_by_role("button", name="zuordnen")).to_be_hidden()
    assert linked_to(appliance, earlier["id"]) == heizung["id"]

    # The document dialog's project field saves at once: another project, none, back.
    row.get_by_role("button", name="Öffnen").click()
    dialog = page.locator("#doc-dialog")
    field = dialog.get_by_label("Projekt", exact=True)
    expect(field).to_have_value(heizung["id"])
    field.select_option(label=dach["name"])
    expect(notices).to_contain_text(f"Dem Projekt „{dach['name']}“ zugeordnet.")
    assert linked_to(appliance, earlier["id"]) == dach["id"]
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    shoot(page, "document-link")
    field.select_option(label="– kein Projekt –")
    expect(notices).to_contain_text("Zuordnung entfernt.")
    assert linked_to(appliance, earlier["id"]) is None
    field.select_option(label=heizung["name"])
    expect(field).to_be_enabled()
    assert linked_to(appliance, earlier["id"]) == heizung["id"]
    dialog.get_by_role("button", name="Schließen").click()
    expect(page.locator(f"#doc-rows tr[data-id='{earlier['id']}']")).to_contain_text(
        heizung["name"]
    )

    # Deleting the project names how many documents lose their link; they stay.
    asked = len(watched.questions)
    open_view(page, appliance, "projects")
    page.fill("#project-q", tag)
    row_action(
        page.locator("#project-rows tr", has_text=heizung["name"]), heizung["name"], "Löschen"
    )
    expect(notices).to_contain_text("Projekt gelöscht. 2 Dokumente haben jetzt kein Projekt mehr.")
    assert watched.questions[asked:] == [
        f"Projekt „{heizung['name']}“ löschen? Es kommt in den Papierkorb und lässt sich dort "
        "wiederherstellen. 2 Dokumente verlieren ihre Zuordnung (die Dokumente bleiben erhalten "
        "und werden beim Wiederherstellen wieder zugeordnet)."
    ]
    for document in [earlier, *listed]:
        assert linked_to(appliance, document["id"]) is None

    assert appliance.client.delete(f"/api/v1/projects/{dach['id']}").status_code == 200
    for document in [earlier, *listed]:
        assert appliance.client.delete(f"{DOCS}{document['id']}").status_code == 200
