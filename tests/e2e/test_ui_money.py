"""Amounts and days typed the German way in the project form (ui/js/money.js, dates.js),
in a real browser against the real appliance: read as a German office writes them, said
back beside the field, saved exactly, refused with a sentence when unclear, and the same
in a browser whose own locale is American."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, Response, expect

from tests.e2e.browser import Watched, open_view, row_action, shoot
from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e

COSTS = ("estimated_cost", "final_cost")
LABELS = {"estimated_cost": "Geschätzte Kosten (€)", "final_cost": "Endkosten (€)"}
# Typed, what the form says it understood, and the amount the API then holds.
AMOUNTS: list[tuple[str, str, float]] = [
    ("14.200", "= 14.200,00 €", 14200),
    ("14.200,50", "= 14.200,50 €", 14200.5),
    ("14200,5", "= 14.200,50 €", 14200.5),
    ("14200", "= 14.200,00 €", 14200),
    ("2.350,50", "= 2.350,50 €", 2350.5),
    ("12.345.678", "= 12.345.678,00 €", 12345678),
    ("2350,50", "= 2.350,50 €", 2350.5),
]
# Typed, and the sentence that refuses it (the form is not sent).
REFUSED = [
    ("14.20", "Unklar: Der Punkt trennt Tausender. Cent bitte mit Komma schreiben, z. B. 14,20."),
    (
        "1,234.56",
        "Englisches Zahlenformat. Bitte Punkt für Tausender und Komma für Cent schreiben: "
        "1.234,56.",
    ),
    ("14,205", "Höchstens zwei Nachkommastellen."),
    ("14.20.5", "Tausenderpunkte bitte nach je drei Ziffern setzen, z. B. 12.345.678."),
    ("vierzehn", "Bitte einen Betrag wie 14.200,50 eingeben."),
]


def is_create(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/api/v1/projects/")


def new_project(page: Page, name: str) -> Locator:
    page.get_by_role("button", name="Neues Projekt").click()
    form = page.locator("#project-dialog")
    form.get_by_label("Name", exact=True).fill(name)
    return form


def save(page: Page, appliance: RunningAppliance) -> tuple[dict[str, Any], dict[str, Any]]:
    """Save the form; returns the body the browser sent and the project the API holds."""
    with page.expect_response(is_create) as answer:
        page.locator("#project-dialog").get_by_role("button", name="Speichern").click()
    assert answer.value.status == 201, answer.value.text()
    sent = answer.value.request.post_data_json
    stored = appliance.client.get(f"/api/v1/projects/{answer.value.json()['id']}").json()
    return sent, stored


def test_amounts_typed_the_german_way_are_understood_and_saved_exactly(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    open_view(page, appliance, "projects")
    sent_names: list[str] = []

    def record(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/projects/"):
            sent_names.append(request.post_data_json["name"])

    page.on("request", record)

    # Two amounts per project, as estimate and final cost.
    for first in range(0, 6, 2):
        form = new_project(page, f"Betrag {first} {tag}")
        pair = dict(zip(COSTS, AMOUNTS[first : first + 2], strict=True))
        for field, (typed, understood, _) in pair.items():
            form.get_by_label(LABELS[field]).fill(typed)
            expect(form.locator(f"#pf-{field}-note")).to_have_text(understood)
        if first == 0:
            shoot(page, "project-money")
        sent, stored = save(page, appliance)
        for field, (typed, _, amount) in pair.items():
            assert sent[field] == f"{amount:.2f}", typed  # an exact decimal, not a float
            assert stored[field] == amount, typed
        expect(form).to_be_hidden()

    # Unclear or wrong: said at the field, and the form is not sent.
    form = new_project(page, f"Erst abgelehnt {tag}")
    field = form.get_by_label(LABELS["estimated_cost"])
    for typed, sentence in REFUSED:
        field.fill(typed)
        expect(form.locator("#pf-estimated_cost-note")).to_have_text(sentence)
        expect(field).to_have_attribute("aria-invalid", "true")
        form.get_by_role("button", name="Speichern").click()
        expect(form.locator("#project-form-error")).to_have_text("Bitte die Eingaben prüfen.")
        expect(field).to_be_focused()
        if typed == "14.20":
            shoot(page, "project-money-refused")
    typed, understood, amount = AMOUNTS[6]
    field.fill(typed)
    expect(form.locator("#pf-estimated_cost-note")).to_have_text(understood)
    sent, stored = save(page, appliance)
    assert (sent["estimated_cost"], stored["estimated_cost"]) == ("2350.50", amount)
    # Requests reach the page's listeners in order: every earlier one has been seen.
    assert sent_names.count(f"Erst abgelehnt {tag}") == 1

    # The list shows amounts the German way; the form gives them back the German way.
    row = page.locator("#project-rows tr", has_text=f"Betrag 0 {tag}")
    expect(row).to_contain_text("14.200,00 €")
    row_action(row, f"Betrag 0 {tag}", "Bearbeiten")
    expect(form.get_by_label(LABELS["estimated_cost"])).to_have_value("14.200,00")
    expect(form.get_by_label(LABELS["final_cost"])).to_have_value("14.200,50")
    expect(form.locator("#pf-final_cost-note")).to_have_text("= 14.200,50 €")
    form.get_by_role("button", name="Abbrechen").click()


@pytest.fixture
def american(browser: Browser, appliance: RunningAppliance) -> Iterator[Watched]:
    """A page in a browser set to American English, in New York's time zone (where a day
    read as UTC midnight would show as the day before)."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="en-US", timezone_id="America/New_York"
    )
    context.set_default_timeout(30_000)
    watched = Watched(context.new_page(), appliance.url)
    yield watched
    missing = watched.page.evaluate("import('/js/i18n.js').then((m) => [...m.missing])")
    context.close()
    assert missing == [], f"texts without translation: {missing}"
    assert watched.problems == [], "\n".join(watched.problems)


def test_days_are_typed_and_shown_as_31_05_2024_in_an_american_browser(
    american: Watched, appliance: RunningAppliance
) -> None:
    page = american.page
    name = f"Termine {uuid.uuid4().hex[:6]}"
    open_view(page, appliance, "projects")
    form = new_project(page, name)
    form.get_by_label("Beginn").fill("31.05.2024")
    end = form.get_by_label("Ende")
    end.fill("31.02.2024")
    expect(form.locator("#pf-end_date-note")).to_have_text("Diesen Tag gibt es nicht: 31.02.2024.")
    form.get_by_role("button", name="Speichern").click()
    expect(form.locator("#project-form-error")).to_have_text("Bitte die Eingaben prüfen.")
    end.fill("3.6.2024")
    form.get_by_label(LABELS["estimated_cost"]).fill("14.200,5")
    sent, stored = save(page, appliance)
    assert (sent["start_date"], sent["end_date"]) == ("2024-05-31", "2024-06-03")
    assert (stored["start_date"], stored["end_date"]) == ("2024-05-31", "2024-06-03")

    # In English: the messages change, the formats of the office stay.
    page.get_by_label("Sprache").select_option("en")
    row = page.locator("#project-rows tr", has_text=name)
    expect(row).to_contain_text("14.200,50 €")
    row_action(row, name, "Edit", actions="Actions")
    expect(form.get_by_label("Start")).to_have_value("31.05.2024")
    end = form.get_by_label("End", exact=True)
    expect(end).to_have_value("03.06.2024")
    end.fill("31.02.2024")
    expect(form.locator("#pf-end_date-note")).to_have_text("There is no such day: 31.02.2024.")
    cost = form.get_by_label("Estimated cost (€)")
    cost.fill("14.20")
    expect(form.locator("#pf-estimated_cost-note")).to_have_text(
        "Unclear: the dot separates thousands. Please write cents after a comma, e.g. 14,20."
    )
    cost.fill("14.200")
    expect(form.locator("#pf-estimated_cost-note")).to_have_text("= 14.200,00 €")
    form.get_by_role("button", name="Cancel").click()
