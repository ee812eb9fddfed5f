"""Screenshots of the views, German, at 1366x768 and 800x900, for docs/screenshots/.

Starts an appliance on a fresh data folder, fills it with a few jobs and papers through
the API, and photographs each view in chromium (as the browser tests do, with the same
flags). Run from the repository: `.venv/bin/python scripts/screenshots.py [out-folder]`.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect, sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, create_indexed  # noqa: E402
from tests.fixtures import documents as make  # noqa: E402
from tests.support import RunningAppliance, wait_for  # noqa: E402

SIZES = ((1366, 768), (800, 900))
CLOCK = (
    "Turmuhr der Dorfkirche überholen: mechanisches Uhrwerk reinigen, Pendel und Hemmung "
    "instand setzen, Zifferblätter neu vergolden, Glockenschlagwerk einstellen."
)


def fill(appliance: RunningAppliance, files: Path) -> dict[str, Any]:
    """Jobs with costs, a new inquiry, a paper naming a job, a damaged paper, a deletion."""
    for town, cost in [
        ("Adorf", 7000),
        ("Bedorf", 8700),
        ("Cedorf", 12400),
        ("Dedorf", 15300),
        ("Edorf", 40000),
    ]:
        create_indexed(
            appliance,
            name=f"Turmuhr {town}",
            trade="Uhrmacher",
            phase="abgeschlossen",
            final_cost=cost,
            description=CLOCK,
        )
    job = create_indexed(
        appliance,
        name="Turmuhr St. Marien",
        trade="Uhrmacher",
        customer="Kirchengemeinde St. Marien",
        address="Kirchplatz 1",
        city="Fedorf",
        description="Kirchturmuhr überholen und Zifferblätter vergolden.",
    )
    docs = "/api/v1/documents/"
    paper = appliance.client.post(
        f"{docs}upload",
        files={
            "file": (
                "Lieferschein 2291.txt",
                b"Lieferschein 2291\nLieferadresse: Kirchplatz 1, Fedorf\nBlattgold, 2 Hefte.",
            )
        },
    ).json()
    damaged = make.truncated_pdf(files / "Rechnung Glaserei.pdf")
    appliance.client.post(f"{docs}upload", files={"file": (damaged.name, damaged.read_bytes())})
    gone = appliance.client.post(
        f"{docs}upload",
        files={"file": ("Entwurf Angebot alt.txt", b"Entwurf eines alten Angebots")},
    ).json()
    wait_for(
        lambda: all(
            d["status"] in ("completed", "failed")
            for d in appliance.client.get(docs).json()["data"]
        ),
        timeout=120,
        what="read",
    )
    appliance.client.delete(f"{docs}{gone['id']}")
    return {"job": job, "paper": paper}


def views(seed: dict[str, Any]) -> dict[str, Callable[[Page], None]]:
    job, paper = seed["job"], seed["paper"]

    def project_page(page: Page) -> None:
        page.goto(f"#project/{job['id']}")
        expect(page.locator("#page-hint .hint-text")).to_contain_text("Median")
        page.locator("#page-hint").scroll_into_view_if_needed()

    def project_form(page: Page) -> None:
        page.goto("#projects")
        page.get_by_role("button", name="Neues Projekt").click()
        page.locator("#pf-name").fill("Turmuhr Bedorf")
        page.locator("#pf-description").fill(CLOCK)
        # The waiting text says "kosteten" too: wait for the range.
        expect(page.locator("#pf-hint .hint-text")).to_contain_text("Median")
        expect(page.locator("#pf-name-twin")).to_be_visible()
        page.locator("#pf-hint").scroll_into_view_if_needed()

    def document_suggestion(page: Page) -> None:
        page.goto("#documents")
        page.locator(f"#doc-rows tr[data-id='{paper['id']}']").get_by_role(
            "button", name=paper["original_name"]
        ).click()
        expect(page.locator("#doc-suggest")).to_contain_text("Gehört vermutlich zu")

    def tasks(page: Page) -> None:
        page.goto("#tasks")
        expect(page.locator("#view-tasks")).to_contain_text("Probleme")

    def trash(page: Page) -> None:
        page.goto("#trash")
        expect(page.locator("#trash-rows tr")).to_have_count(1)

    def projects_menu(page: Page) -> None:
        page.goto("#projects")
        page.get_by_role("button", name=f"Aktionen: {job['name']}").click()

    return {
        "project-page-price-hint": project_page,
        "project-form-price-hint": project_form,
        "document-suggestion": document_suggestion,
        "tasks-people": tasks,
        "papierkorb": trash,
        "projects-row-menu": projects_menu,
    }


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        appliance = RunningAppliance(Path(work) / "data").start()
        try:
            seed = fill(appliance, Path(work))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for width, height in SIZES:
                    context = browser.new_context(
                        viewport={"width": width, "height": height},
                        locale="de-DE",
                        base_url=appliance.url,
                    )
                    page = context.new_page()
                    page.goto(f"/?token={appliance.token}#documents")
                    for name, show in views(seed).items():
                        show(page)
                        page.screenshot(path=out / f"{name}-{width}x{height}.png")
                    context.close()
                browser.close()
        finally:
            appliance.close()


if __name__ == "__main__":
    main()
