"""The UI on small screens in a real browser against the real appliance: every view and
dialog from 800 px wide without horizontal scrolling, the header whole, a list row's
actions in a "⋯" menu, the project form's "Speichern" in sight at 657 px of height with
errors shown; and "Beenden" in the header's "Mehr" menu, its question saying how to start
HandwerkML again (answered "no": the appliance is shared by the tests)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, Route, expect

from tests.e2e.browser import Watched, open_technik, open_view, shoot
from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e

NARROW = {"width": 800, "height": 900}
SHORT = {"width": 1366, "height": 657}  # what a 1366x768 screen leaves the page
DOCS = "/api/v1/documents/"


def watched_page(
    browser: Browser, appliance: RunningAppliance, viewport: dict[str, int]
) -> Iterator[Watched]:
    context = browser.new_context(viewport=viewport, locale="de-DE")  # type: ignore[arg-type]
    context.set_default_timeout(30_000)
    watched = Watched(context.new_page(), appliance.url)
    yield watched
    context.close()
    assert watched.problems == [], "\n".join(watched.problems)


@pytest.fixture
def narrow(browser: Browser, appliance: RunningAppliance) -> Iterator[Watched]:
    yield from watched_page(browser, appliance, NARROW)


@pytest.fixture
def short(browser: Browser, appliance: RunningAppliance) -> Iterator[Watched]:
    yield from watched_page(browser, appliance, SHORT)


@pytest.fixture
def content(appliance: RunningAppliance) -> dict[str, Any]:
    """A project with a long name and a document in it, so that lists have rows."""
    tag = uuid.uuid4().hex[:6]
    response = appliance.client.post(
        "/api/v1/projects/",
        json={
            "name": f"Badsanierung mit bodengleicher Dusche Familie Schneider-Hoffmann {tag}",
            "customer": "Familie Schneider-Hoffmann",
            "trade": "Garten- und Landschaftsbau",
            "city": "Mönchengladbach",
            "estimated_cost": 123456.78,
            "description": "Altes Bad raus, bodengleiche Dusche, neue Fliesen.",
        },
    )
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()
    note = f"Aufmass Badezimmer Schneider-Hoffmann {tag} 3,40 m x 2,10 m".encode()
    upload = appliance.client.post(
        f"{DOCS}upload",
        files={"file": (f"Aufmass_Badezimmer_Schneider-Hoffmann_{tag}.txt", note)},
        data={"project_id": project["id"]},
    )
    assert upload.status_code in (200, 201, 202), upload.text
    return {"project": project, "document": upload.json(), "tag": tag}


# What sticks out on the right, for the message of a failure.
WIDER = """(limit) => [...document.querySelectorAll('body *')]
  .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > limit)
  .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}: `
    + `${Math.round(el.getBoundingClientRect().right)}`).slice(0, 12)"""


def no_horizontal_scroll(page: Page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wider = page.evaluate(WIDER, NARROW["width"]) if width > NARROW["width"] else []
    assert width <= NARROW["width"], f"{where}: the page is {width} px wide: {wider}"


def in_viewport(page: Page, locator: Locator) -> None:
    """The element is shown whole inside the window (not cut off, not below it)."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= size["width"], (box, size)
    assert box["y"] + box["height"] <= size["height"], (box, size)


# Cells whose words come from a short fixed list (a phase, a kind) that wrap inside a word.
BROKEN_WORDS = """() => [...document.querySelectorAll('td.word')]
  .filter((cell) => cell.getClientRects().length)
  .filter((cell) => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
    return lines.size > cell.textContent.trim().split(/\\s+/).length;
  })
  .map((cell) => cell.textContent)"""


def header_whole(page: Page) -> None:
    for control in (
        page.get_by_role("link", name="Datensicherung"),
        page.get_by_label("Sprache"),
        page.get_by_role("button", name="Mehr", exact=True),
    ):
        in_viewport(page, control)


def test_every_view_fits_800_pixels_without_horizontal_scrolling(
    narrow: Watched, appliance: RunningAppliance, content: dict[str, Any]
) -> None:
    page = narrow.page
    project, tag = content["project"], content["tag"]
    # Something in the Papierkorb, with a long name.
    gone = f"Nachtrag Bad Schneider-Hoffmann Obergeschoss Zwischenstand {tag}.txt"
    paper = appliance.client.post(
        "/api/v1/documents/upload", files={"file": (gone, f"Nachtrag {tag}".encode())}
    ).json()
    assert appliance.client.delete(f"/api/v1/documents/{paper['id']}").status_code == 200
    for view, heading in (
        ("documents", "Dokumente"),
        ("projects", "Projekte"),
        ("tasks", "Aufgaben"),
        ("backups", "Datensicherung"),
        ("trash", "Papierkorb"),
    ):
        open_view(page, appliance, view)
        expect(page.locator(f"#view-{view} h1")).to_have_text(heading)
        header_whole(page)
        no_horizontal_scroll(page, view)
        assert page.evaluate(BROKEN_WORDS) == [], view

    # The task view's technical console, unfolded.
    open_view(page, appliance, "tasks")
    open_technik(page)
    expect(page.locator("#worker-rows tr").first).to_contain_text("online")
    expect(page.locator("#history-rows tr").first).to_be_visible()
    no_horizontal_scroll(page, "tasks with Technik")
    shoot(page, "small-tasks-technik")

    # The documents list with the uploaded file, and its dialog.
    open_view(page, appliance, "documents")
    row = page.locator("#doc-rows tr", has_text=tag)
    expect(row).to_have_count(1)
    no_horizontal_scroll(page, "documents with a row")
    row.get_by_role("button", name=f"Aufmass_Badezimmer_Schneider-Hoffmann_{tag}.txt").click()
    dialog = page.locator("#doc-dialog")
    expect(dialog).to_be_visible()
    no_horizontal_scroll(page, "document dialog")
    in_viewport(page, dialog.get_by_role("button", name="Löschen"))
    dialog.get_by_role("button", name="Schließen").click()

    # The search hits.
    page.fill("#doc-q", f"Aufmass {tag}")
    page.get_by_role("button", name="Suchen", exact=True).click()
    expect(page.locator("#doc-result-list li").first).to_be_visible()
    no_horizontal_scroll(page, "document search")

    # The projects list: the row's actions are in its "⋯" menu, which the keyboard opens.
    open_view(page, appliance, "projects")
    page.fill("#project-q", tag)
    row = page.locator("#project-rows tr", has_text=tag)
    expect(row).to_have_count(1)
    no_horizontal_scroll(page, "projects")
    actions = row.get_by_role("button", name=f"Aktionen: {project['name']}")
    in_viewport(page, actions)
    actions.focus()
    page.keyboard.press("Enter")
    edit = page.get_by_role("menuitem", name=f"Bearbeiten: {project['name']}")
    expect(edit).to_be_focused()
    in_viewport(page, edit)
    no_horizontal_scroll(page, "a row's open menu")
    shoot(page, "small-projects-menu")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name=f"Ähnliche: {project['name']}")).to_be_focused()
    page.keyboard.press("Escape")
    expect(edit).to_be_hidden()
    expect(actions).to_be_focused()

    # The project form.
    actions.click()
    edit.click()
    form = page.locator("#project-dialog")
    expect(form).to_be_visible()
    no_horizontal_scroll(page, "project form")
    in_viewport(page, form.get_by_role("button", name="Speichern"))
    form.get_by_role("button", name="Abbrechen").click()

    # Search by meaning.
    page.fill("#meaning-q", "Badsanierung Dusche")
    page.get_by_role("button", name="Finden").click()
    expect(page.locator("#meaning-results")).to_be_visible()
    no_horizontal_scroll(page, "search by meaning")

    # The project's page.
    page.goto(f"{appliance.url}/#project/{project['id']}")
    expect(page.locator("#page-title")).to_have_text(project["name"])
    expect(page.locator("#page-doc-rows tr")).to_have_count(1)
    header_whole(page)
    no_horizontal_scroll(page, "project page")
    shoot(page, "small-project-page")


def test_the_project_form_keeps_save_in_sight_at_657_pixels_with_errors_shown(
    short: Watched, appliance: RunningAppliance
) -> None:
    page = short.page
    open_view(page, appliance, "projects")
    page.get_by_role("button", name="Neues Projekt").click()
    form = page.locator("#project-dialog")
    form.get_by_label("Beschreibung").fill("Zeile\n" * 30)
    form.get_by_label("Geschätzte Kosten (€)").fill("14.20")
    form.get_by_label("Endkosten (€)").fill("vierzehn")
    form.get_by_label("Beginn").fill("31.02.2024")
    form.get_by_role("button", name="Speichern").click()  # no name: refused
    expect(form.locator("#project-form-error")).to_be_visible()
    expect(form.locator("#pf-estimated_cost-note")).to_contain_text("Unklar")
    in_viewport(page, form.get_by_role("button", name="Speichern"))
    in_viewport(page, form.get_by_role("button", name="Abbrechen"))
    shoot(page, "short-project-form-errors")
    # Scrolled to the end of the form too.
    form.get_by_label("Beschreibung").focus()
    in_viewport(page, form.get_by_role("button", name="Speichern"))
    form.get_by_role("button", name="Abbrechen").click()
    expect(form).to_be_hidden()


def test_beenden_is_in_the_more_menu_and_says_how_to_start_again(
    browser: Browser, appliance: RunningAppliance
) -> None:
    # Not the `watched` page: it accepts every question, and this one must be answered "no".
    context = browser.new_context(viewport=NARROW, locale="de-DE")  # type: ignore[arg-type]
    context.set_default_timeout(30_000)
    page = context.new_page()
    stops: list[str] = []

    def refuse(route: Route) -> None:  # a second safety: the shutdown never reaches it
        stops.append(route.request.url)
        route.abort()

    page.route("**/api/v1/system/shutdown", refuse)
    questions: list[str] = []

    def answer_no(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer_no)
    try:
        open_view(page, appliance, "documents")
        expect(page.get_by_role("button", name="Beenden")).to_have_count(0)  # not beside "Sprache"
        more = page.get_by_role("button", name="Mehr", exact=True)
        in_viewport(page, more)
        more.click()
        quit_item = page.get_by_role("menuitem", name="Beenden")
        in_viewport(page, quit_item)
        shoot(page, "small-more-menu")
        quit_item.click()
        expect(page.locator("#conn")).to_contain_text("Betriebsbereit")
        assert len(questions) == 1, questions
        assert "HandwerkML beenden?" in questions[0]
        assert (
            "Zum erneuten Starten HandwerkML auf dem Desktop doppelklicken oder im Startmenü "
            "wählen" in questions[0]
        )
        assert "handwerkml" in questions[0]
        assert stops == []
        assert appliance.client.get("/api/v1/tasks/health").status_code == 200
    finally:
        context.close()
