"""The bundled web UI in a real browser (Debian's chromium) against the real appliance.

Screenshots of every page land in test-artifacts/ui/ for a person to look at.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    expect,
)

from appliance.backups.models import Backup, BackupState
from appliance.holds import HoldPoints
from tests.e2e.browser import (
    DROP,
    SLOW,
    UNLABELLED_CONTROLS,
    WATCH,
    Watched,
    create_project,
    open_technik,
    open_view,
    row_action,
    seen,
    shoot,
)
from tests.fixtures import documents as make
from tests.support import RunningAppliance, wait_for

pytestmark = pytest.mark.e2e


def test_uploads_are_processed_live_and_found_by_search(
    watched: Watched, appliance: RunningAppliance, tmp_path: Path
) -> None:
    page = watched.page
    token = f"Kellerabdichtung{uuid.uuid4().hex[:6]}"
    pdf = make.text_pdf(tmp_path / "Angebot Keller.pdf", [f"Angebot {token} Bitumen", "Seite 2"])
    png = make.text_image(tmp_path / "Notiz Baustelle.png", "Baustelle Lindenweg Fenster")
    scan = make.tiff_pages(tmp_path / "Aufmass.tiff", [f"Blatt {i} Estrich Aufmaß" for i in "1234"])
    open_view(page, appliance, "documents")
    page.evaluate(WATCH, "#upload-list .state")

    # The scan is read page by page, and the page shows how far it got: held before its
    # second page until the test has seen it there, however fast this machine reads.
    with appliance.hold(HoldPoints.document_of(4)):
        page.set_input_files("#file-input", [pdf, png, scan])
        progress = page.locator("#upload-list li", has_text=scan.name)
        expect(progress).to_contain_text(re.compile(r"In Arbeit.*Seite 1 von 4"), timeout=SLOW)
        shoot(page, "documents-processing")
    for name in (pdf.name, png.name, scan.name):
        item = page.locator("#upload-list li", has_text=name)
        expect(item).to_contain_text("Fertig", timeout=SLOW)
        expect(page.locator("#doc-rows tr", has_text=name)).to_contain_text("Fertig")
    states = seen(page)
    assert any(s.startswith("Wird hochgeladen") for s in states), states
    assert any(s.startswith("Wartet") for s in states), states
    shoot(page, "documents")

    # The list is the server's: after a reload it shows the same, true state.
    page.reload()
    expect(page.locator("#doc-rows tr", has_text=pdf.name)).to_contain_text("Fertig")
    page.select_option("#doc-type", "png")
    expect(page.locator("#doc-rows tr", has_text=pdf.name)).to_have_count(0)
    expect(page.locator("#doc-rows tr", has_text=png.name)).to_be_visible()
    page.select_option("#doc-type", "")

    page.fill("#doc-q", token)
    page.press("#doc-q", "Enter")
    result = page.locator("#doc-result-list li", has_text=pdf.name)
    expect(result).to_be_visible()
    expect(result.locator("mark")).to_have_text(re.compile(token, re.IGNORECASE))
    shoot(page, "documents-search")

    result.get_by_role("button", name=pdf.name).click()
    dialog = page.locator("#doc-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#doc-text")).to_contain_text(token)
    expect(dialog.locator("#doc-meta")).to_contain_text("PDF")
    shoot(page, "document-detail")
    with page.expect_download() as download:
        dialog.locator("#doc-download").click()
    assert Path(download.value.path()).read_bytes() == pdf.read_bytes()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_failures_are_readable_say_what_to_do_and_can_be_deleted(
    watched: Watched, appliance: RunningAppliance, tmp_path: Path
) -> None:
    page = watched.page
    locked = make.encrypted_pdf(
        tmp_path / "Gesperrt.pdf", f"Vertrag {uuid.uuid4().hex}", user_password="geheim"
    )
    program = make.fake_exe_pdf(tmp_path / "Programm.pdf")
    hostile = "<img src=x onerror=alert(1)>.txt"
    open_view(page, appliance, "documents")

    page.set_input_files("#file-input", [locked, program])
    page.evaluate(DROP, ["#dropzone", [[hostile, f"Notiz {uuid.uuid4().hex}"]]])
    refused = page.locator("#upload-list li", has_text=program.name)
    expect(refused).to_contain_text("Dieser Dateityp wird nicht unterstützt.")
    expect(refused).not_to_contain_text("{")
    row = page.locator("#doc-rows tr", has_text=locked.name)
    expect(row).to_contain_text("Die Datei ist mit einem Passwort geschützt.", timeout=SLOW)
    # The hostile name is shown as text, never run as markup.
    expect(page.locator("#doc-rows tr", has_text=hostile)).to_contain_text("Fertig", timeout=SLOW)
    assert page.locator("#doc-rows img").count() == 0
    shoot(page, "documents-failed")

    # A password stays on every try: the row says what to do instead of offering a retry
    # (test_ui_failed_documents.py has the failures another try may help).
    expect(row).to_contain_text("Bitte eine Kopie ohne Passwort hochladen.")
    expect(row.get_by_role("button", name="Erneut versuchen")).to_have_count(0)

    row.get_by_role("button", name=locked.name).click()
    page.locator("#doc-delete").click()
    expect(page.locator("#notices")).to_contain_text("Dokument gelöscht.")
    expect(page.locator("#doc-rows tr", has_text=locked.name)).to_have_count(0)


def test_a_new_project_is_indexed_and_shows_similar_jobs(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    past = create_project(
        appliance,
        name=f"Bad saniert {tag}",
        trade="Sanitär",
        phase="abgeschlossen",
        description="Badsanierung mit bodengleicher Dusche, neue Fliesen und Hänge-WC.",
    )
    create_project(appliance, name=f"Dach gedeckt {tag}", trade="Dach", description="Dachziegel.")
    open_view(page, appliance, "projects")

    # A blank name is refused with a sentence at the field, not raw JSON.
    page.get_by_role("button", name="Neues Projekt").click()
    form = page.locator("#project-dialog")
    form.get_by_role("button", name="Speichern").click()
    expect(form.locator(".field-error")).to_have_text("Bitte ausfüllen.")
    expect(form.locator("#project-form-error")).to_contain_text("Bitte die Eingaben prüfen.")
    shoot(page, "project-form")

    name = f"Badumbau Familie Test {tag}"
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Gewerk").fill("Sanitär")
    form.get_by_label("Ort").fill("Köln")
    form.get_by_label("Geschätzte Kosten (€)").fill("12500")
    form.get_by_label("Beschreibung").fill("Altes Bad raus, bodengleiche Dusche, Fliesen neu.")
    page.evaluate(WATCH, "#project-rows tr .badge")
    form.get_by_role("button", name="Speichern").click()
    expect(page.locator("#notices")).to_contain_text("Projekt angelegt.")
    row = page.locator("#project-rows tr", has_text=name)
    expect(row).to_contain_text("12.500,00 €")
    row.evaluate("(el) => { el.dataset.mark = 'kept'; }")
    expect(row.locator(".badge")).to_have_text("Erfasst", timeout=SLOW)
    expect(row).to_have_attribute("data-mark", "kept")  # updated in place, not rebuilt
    assert "Wird erfasst …" in seen(page)
    shoot(page, "projects")

    row_action(row, name, "Ähnliche")
    similar = page.locator("#similar-dialog")
    # How alike, in words; the words both jobs use are marked.
    alike = similar.locator("#similar-rows tr", has_text=past["name"])
    expect(alike.locator(".level")).to_have_text(re.compile("^(hoch|mittel)$"))
    expect(alike.locator("mark").first).to_be_visible()
    shoot(page, "projects-similar")
    similar.get_by_role("button", name="Schließen").click()

    page.fill("#meaning-q", "Dusche im Badezimmer erneuern")
    page.get_by_role("button", name="Finden").click()
    first = page.locator("#meaning-rows tr").first
    expect(first.locator(".level")).to_have_text(re.compile("^(hoch|mittel)$"), timeout=SLOW)
    expect(first.locator("mark", has_text="Dusche").first).to_be_visible()
    shoot(page, "projects-meaning")

    # Nothing fits: the list says so, and the weak hits wait behind a button.
    page.fill("#meaning-q", "Urlaubsplanung Mallorca")
    page.get_by_role("button", name="Finden").click()
    expect(page.locator("#meaning-rows")).to_contain_text(
        "Keine wirklich passenden Projekte.", timeout=SLOW
    )
    page.locator("#meaning-rows").get_by_role("button", name=re.compile("weniger passende")).click()
    expect(page.locator("#meaning-rows .level").first).to_have_text("gering")

    row_action(row, name, "Bearbeiten")
    form.get_by_label("Phase").select_option("beauftragt")
    form.get_by_role("button", name="Speichern").click()
    expect(row).to_contain_text("Beauftragt")

    row_action(row, name, "Löschen")
    expect(page.locator("#notices")).to_contain_text("Projekt gelöscht.")
    expect(page.locator("#project-rows tr", has_text=name)).to_have_count(0)


def test_a_project_dropped_from_the_queue_says_so_and_can_be_indexed_again(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    blocker = create_project(appliance, name=f"Blockiert {tag}", description="Zaun streichen.")
    wait_for(
        lambda: (
            appliance.client.get(f"/api/v1/projects/{blocker['id']}").json()["status"] == "indexed"
        ),
        timeout=120,
        what="the first project indexed",
    )
    # The embedding worker is kept busy by a held re-index, so the new project's task waits.
    with appliance.hold(HoldPoints.task("tasks.batch_generate_embeddings")):
        held = appliance.client.post(
            "/api/v1/projects/reindex", json={"project_ids": [blocker["id"]]}
        ).json()["task_ids"][0]
        appliance.wait_state(held, {"STARTED"})
        project = create_project(appliance, name=f"Verworfen {tag}", description="Dach decken.")
        purged = appliance.client.post("/api/v1/tasks/purge", params={"queue": "embeddings"})
        assert project["task_id"] in purged.json()["task_ids"]
    appliance.wait_state(held, {"SUCCESS"})

    open_view(page, appliance, "projects")
    row = page.locator("#project-rows tr", has_text=project["name"])
    expect(row.locator(".badge")).to_have_text("Fehler beim Erfassen")
    expect(row.locator(".badge")).to_have_attribute(
        "title", "Abgebrochen: die Warteschlange wurde geleert."
    )
    row_action(row, project["name"], "Neu erfassen")
    expect(page.locator("#notices")).to_contain_text("Projekt wird neu erfasst.")
    expect(row.locator(".badge")).to_have_text("Erfasst", timeout=SLOW)
    # Indexed: the row's menu no longer offers it.
    row.get_by_role("button", name=f"Aktionen: {project['name']}").click()
    expect(row.get_by_role("menuitem", name=f"Bearbeiten: {project['name']}")).to_be_visible()
    expect(row.get_by_role("menuitem", name=f"Neu erfassen: {project['name']}")).to_be_hidden()
    page.keyboard.press("Escape")


def test_the_monitor_revokes_a_waiting_task_and_retries_a_failed_one(
    watched: Watched, appliance: RunningAppliance, tmp_path: Path
) -> None:
    page = watched.page
    open_view(page, appliance, "tasks")
    open_technik(page)
    # The default queue has 3 workers: keep them busy (held, however fast they are) so a
    # ping has to wait.
    with appliance.hold(HoldPoints.task("tasks.sleep")):
        sleepers = [appliance.enqueue("tasks.sleep", 0.1) for _ in range(3)]
        for task_id in sleepers:
            appliance.wait_state(task_id, {"STARTED"})
        waiting = appliance.enqueue("tasks.ping")
        expect(page.locator(f"#active-rows tr[data-id='{sleepers[0]}']")).to_be_visible()
        row = page.locator(f"#waiting-rows tr[data-id='{waiting}']")
        expect(row).to_contain_text("Wartet")
        shoot(page, "tasks")

        row.get_by_role("button", name="Widerrufen").click()
        expect(page.locator("#notices")).to_contain_text("Aufgabe widerrufen.")
        expect(row).to_have_count(0)
        assert appliance.task(waiting).state == "REVOKED"
        expect(page.locator(f"#history-rows tr[data-id='{waiting}']")).to_contain_text("Widerrufen")

        # "Warteschlange leeren" drops what waits (after a confirmation with the count).
        dropped = [appliance.enqueue("tasks.ping", n) for n in range(2)]
        expect(page.locator(f"#waiting-rows tr[data-id='{dropped[1]}']")).to_be_visible()
        page.get_by_role("button", name="Warteschlange leeren").click()
        expect(page.locator("#notices")).to_contain_text(
            re.compile(r"\d+ wartende Aufgaben verworfen")
        )
        expect(page.locator("#waiting-rows tr")).to_have_count(0)
        assert {appliance.task(t).state for t in dropped} == {"REVOKED"}

        # A running task is stopped (after a confirmation): its worker is replaced.
        running = page.locator(f"#active-rows tr[data-id='{sleepers[0]}']")
        running.get_by_role("button", name="Abbrechen").click()
        expect(running).to_have_count(0)
        assert appliance.wait_state(sleepers[0], {"REVOKED"}).state == "REVOKED"
    for task_id in sleepers[1:]:
        appliance.wait_state(task_id, {"SUCCESS"})
    appliance.wait_healthy()

    # A document that cannot be read fails at once, and no restart is offered for it: it
    # would fail the same way.
    broken = make.encrypted_pdf(tmp_path / "zu.pdf", uuid.uuid4().hex, user_password="x")
    with broken.open("rb") as handle:
        locked = appliance.client.post(
            "/api/v1/documents/upload", files={"file": (broken.name, handle)}
        ).json()["task_id"]
    appliance.wait_state(locked, {"FAILURE"}, timeout=60)
    refused = page.locator(f"#failed-rows tr[data-id='{locked}']")
    expect(refused).to_contain_text("Neustart hilft nicht")
    expect(refused.get_by_role("button")).to_have_count(0)

    # A task that failed after its retries is queued again from the monitor.
    task_id = appliance.enqueue("tasks.fail")
    first_end = appliance.wait_state(task_id, {"FAILURE"}, timeout=60).finished_at
    failed = page.locator(f"#failed-rows tr[data-id='{task_id}']")
    failed.get_by_role("button", name="Neu starten").click()
    expect(page.locator("#notices")).to_contain_text("Aufgabe neu eingereiht.")

    def failed_again() -> bool:
        task = appliance.task(task_id)
        return bool(task.state == "FAILURE" and task.finished_at and task.finished_at > first_end)

    wait_for(failed_again, timeout=60, what="the second run to fail too")


def test_backups_warn_in_every_view_and_run_and_download_from_the_page(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    # The last backup failed (the USB disk was pulled out, say): every view warns.
    with appliance.runtime.db.session(write=True) as session:
        session.add(
            Backup(
                started_at=datetime.now(UTC),
                finished_at=datetime.now(UTC),
                state=BackupState.FAILED,
                reason="scheduled",
                target_dir="/media/usb/Sicherung",
                error="The folder /media/usb/Sicherung is gone.",
            )
        )
    open_view(page, appliance, "projects")
    banner = page.locator("#backup-warning")
    expect(banner).to_contain_text("Die letzte Datensicherung ist fehlgeschlagen.")
    banner.get_by_role("link", name="Zur Datensicherung").click()
    expect(page.locator("#view-backups")).to_be_visible()
    expect(page.locator("#backup-result")).to_contain_text("Fehlgeschlagen")
    # This appliance keeps its backups in its data folder: on the same disk.
    expect(page.locator("#backup-same-disk")).to_contain_text("derselben Festplatte")
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    shoot(page, "backups-failed")

    page.get_by_role("button", name="Jetzt sichern").click()
    expect(page.locator("#notices")).to_contain_text("Datensicherung abgeschlossen.", timeout=SLOW)
    expect(banner).to_be_hidden()
    expect(page.locator("#backup-result")).to_contain_text("Erfolgreich")
    expect(page.locator("#backup-rows tr").first).to_contain_text("„Jetzt sichern“")
    shoot(page, "backups")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Neueste Sicherung herunterladen").click()
    good = appliance.client.get("/api/v1/backups/").json()["last_good"]
    assert Path(downloading.value.path()).read_bytes() == Path(good["path"]).read_bytes()


def test_language_is_switchable_and_remembered(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    open_view(page, appliance, "tasks")
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    page.get_by_label("Sprache").select_option("en")
    expect(page.locator(".top nav")).to_contain_text("Documents")
    expect(page.locator("#tasks-title")).to_have_text("Tasks")
    expect(page.locator("#conn")).to_contain_text("Healthy")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    open_technik(page)
    expect(page.locator("#worker-rows tr").first).to_contain_text("online")
    shoot(page, "tasks-english")
    for view in ("documents", "projects"):
        page.get_by_role("link", name=view.capitalize()).click()
        expect(page.locator(f"#view-{view}")).to_be_visible()
        assert page.evaluate(UNLABELLED_CONTROLS) == []
    page.get_by_label("Language").select_option("de")
    expect(page.locator("#projects-title")).to_have_text("Projekte")


def test_keyboard_reaches_the_views_and_controls(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    open_view(page, appliance, "documents")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    for name in ("Dokumente", "Projekte", "Aufgaben", "Datensicherung"):
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name=name)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Sprache")).to_be_focused()
    page.keyboard.press("Tab")
    # "Papierkorb" and "Beenden" wait in the "Mehr" menu: arrow down opens it on the first
    # item, arrow down again moves on, Escape closes it.
    more = page.get_by_role("button", name="Mehr", exact=True)
    expect(more).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Papierkorb")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Beenden")).to_be_focused()
    page.keyboard.press("Escape")
    expect(more).to_be_focused()
    page.keyboard.press("Tab")  # the drop zone's file picker comes next
    expect(page.locator("#file-input")).to_be_focused()
    assert page.locator("#dropzone").evaluate("(el) => el.matches(':focus-within')")

    page.get_by_role("link", name="Projekte").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#projects-title")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Neues Projekt")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#project-dialog")).to_be_hidden()


def test_the_page_says_when_the_appliance_is_gone_and_reconnects(
    browser: Browser, fresh_appliance: RunningAppliance
) -> None:
    fresh_appliance.env["APPLIANCE_WORKERS"] = "1"  # starts faster; enough to be healthy
    fresh_appliance.start()
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    watched = Watched(page, fresh_appliance.url)
    open_view(page, fresh_appliance, "tasks")
    fresh_appliance.stop()
    expect(page.locator("#offline")).to_be_visible(timeout=10_000)
    expect(page.locator("#conn")).to_have_text("Nicht verbunden")
    shoot(page, "offline")
    fresh_appliance.start(wait=False)
    expect(page.locator("#offline")).to_be_hidden(timeout=30_000)
    expect(page.locator("#notices")).to_contain_text("Wieder verbunden.")
    fresh_appliance.wait_healthy()
    expect(page.locator("#conn")).to_have_text("Betriebsbereit · 1 Worker")
    context.close()
    assert watched.problems == [], "\n".join(watched.problems)


def test_the_api_documentation_works_offline(watched: Watched, appliance: RunningAppliance) -> None:
    page = watched.page
    open_view(page, appliance, "projects")
    page.goto(f"{appliance.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("HandwerkML Appliance")
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    shoot(page, "api-docs")


def test_without_the_token_the_page_says_how_to_get_in(
    browser: Browser, appliance: RunningAppliance
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="de-DE")
    page = context.new_page()
    watched = Watched(page, appliance.url)
    page.goto(f"{appliance.url}/")  # an old bookmark: no token, no session
    expect(page).to_have_url(f"{appliance.url}/login.html")
    expect(page.locator("#login-intro")).to_contain_text("über das Symbol auf dem Desktop")
    shoot(page, "login-local")
    page.get_by_label("Zugangsschlüssel").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator("#login-error")).to_contain_text("gehört nicht zu dieser Installation")
    page.get_by_label("Zugangsschlüssel").fill(appliance.token)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator("#conn")).to_contain_text("Betriebsbereit")
    context.close()
    # The wrong key was one refused login: the browser logged it, nothing else went wrong.
    assert [p for p in watched.problems if "401" not in p] == []
