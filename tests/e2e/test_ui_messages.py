"""What a person reads is in the UI's language: the API's refusals, a document's error and
a task's error come in German, and in English once the UI is switched (real chromium)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import SLOW, Watched, open_technik, open_view, shoot
from tests.fixtures import documents as make
from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e


def test_refusals_and_failures_are_said_in_the_ui_language(
    watched: Watched, appliance: RunningAppliance, tmp_path: Path
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    empty = make.empty_file(tmp_path / f"Leer {tag}.txt")
    # Pages of its own: another test's damaged PDF would make this upload a duplicate.
    damaged = make.truncated_pdf(tmp_path / f"Kaputt {tag}.pdf", [f"Rechnung {tag}", "Seite 2"])
    open_view(page, appliance, "documents")

    # An empty text file is refused for being empty, not for its type.
    page.set_input_files("#file-input", [empty, damaged])
    refused = page.locator("#upload-list li", has_text=empty.name)
    expect(refused).to_contain_text("Die Datei ist leer.")
    expect(refused).not_to_contain_text("Dateityp")
    expect(refused).not_to_contain_text("empty")
    row = page.locator("#doc-rows tr", has_text=damaged.name)
    expect(row).to_contain_text("Fehlgeschlagen", timeout=SLOW)
    expect(row).not_to_contain_text("damaged")
    shoot(page, "messages-upload-de")

    # The task monitor names the failure in German: the worker stored it in English.
    page.locator("nav a[data-view='tasks']").click()
    open_technik(page)
    failed = page.locator("#failed-rows tr", has_text="beschädigt").first
    expect(failed).to_contain_text("Die PDF-Datei ist beschädigt oder unvollständig", timeout=SLOW)
    expect(page.locator("#failed-rows")).not_to_contain_text("is damaged or incomplete")
    shoot(page, "messages-monitor-de")

    # A project whose end lies before its start: the server's refusal at the field.
    page.locator("nav a[data-view='projects']").click()
    page.locator("#project-new").click()
    page.fill("#pf-name", f"Dachrinne {tag}")
    page.fill("#pf-start_date", "10.06.2024")
    page.fill("#pf-end_date", "01.06.2024")
    page.locator("#project-dialog button[type='submit']").click()
    expect(page.locator("#pf-end_date-error")).to_have_text(
        "Das Enddatum darf nicht vor dem Beginn liegen."
    )
    shoot(page, "messages-form-de")
    page.keyboard.press("Escape")

    # Switched to English, the same answers are English.
    page.get_by_label("Sprache").select_option("en")
    page.locator("nav a[data-view='tasks']").click()
    expect(page.locator("#failed-rows")).to_contain_text(
        "The PDF file is damaged or incomplete", timeout=SLOW
    )
    page.locator("nav a[data-view='documents']").click()
    page.set_input_files("#file-input", [empty])
    expect(page.locator("#upload-list li", has_text=empty.name).last).to_contain_text(
        "The file is empty."
    )
    shoot(page, "messages-upload-en")
