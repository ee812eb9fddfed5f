"""What the browser tests share: chromium's flags, a watched page, screenshots, views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Dialog, Locator, Page, expect

from tests.support import RunningAppliance, wait_for

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "ui"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SLOW = 120_000  # ms: OCR, and the embedding model loading in the first seconds

# Every control a person can reach has a name: its label, aria-label, text or title.
UNLABELLED_CONTROLS = """() => [
  ...document.querySelectorAll('input, select, textarea, button, a[href]')
].filter((el) => el.type === 'file' || el.getClientRects().length > 0)
  .filter((el) => !([...(el.labels || [])].map((l) => l.textContent).join('').trim()
    || el.getAttribute('aria-label') || el.textContent.trim() || el.title))
  .map((el) => el.outerHTML.slice(0, 120))"""

# Records every text the elements matching a selector show, to see short-lived states.
WATCH = """(selector) => {
  window.__seen = new Set();
  const grab = () => document.querySelectorAll(selector)
    .forEach((el) => window.__seen.add(el.textContent.trim()));
  new MutationObserver(grab).observe(document.body,
    { subtree: true, childList: true, characterData: true, attributes: true });
  grab();
}"""

# Drops files on the drop zone the way a file manager does.
DROP = """([selector, files]) => {
  const data = new DataTransfer();
  for (const [name, text] of files) data.items.add(new File([text], name, { type: 'text/plain' }));
  const zone = document.querySelector(selector);
  zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true }));
  zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true }));
}"""


class Watched:
    """A page plus what went wrong on it: script errors, alerts, requests off the appliance."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.problems: list[str] = []
        self.questions: list[str] = []  # every confirm() asked, accepted
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("dialog", self._dialog)
        page.on("request", lambda r: self._request(r.url, origin))
        page.on("console", self._console)

    def _dialog(self, dialog: Dialog) -> None:
        if dialog.type != "confirm":
            self.problems.append(f"unexpected {dialog.type}: {dialog.message}")
        self.questions.append(dialog.message)
        dialog.accept()

    def _console(self, message: ConsoleMessage) -> None:
        # The Content-Security-Policy blocks what the UI must not need: say so when it did.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"blocked by the CSP: {message.text}")

    def _request(self, url: str, origin: str) -> None:
        if not url.startswith((origin, "data:")):
            self.problems.append(f"request off the appliance: {url}")


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


def open_view(page: Page, appliance: RunningAppliance, view: str) -> None:
    # As the program opens the browser: with the access token, traded for a session.
    page.goto(f"{appliance.url}/?token={appliance.token}#{view}")
    expect(page.locator(f"#view-{view}")).to_be_visible()
    expect(page.locator("#conn")).to_contain_text("Betriebsbereit")


def seen(page: Page) -> set[str]:
    return set(page.evaluate("[...window.__seen]"))


def create_project(appliance: RunningAppliance, **fields: Any) -> dict[str, Any]:
    """A project made through the API, as the tests' starting point."""
    response = appliance.client.post("/api/v1/projects/", json=fields)
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()
    return project


def create_indexed(appliance: RunningAppliance, **fields: Any) -> dict[str, Any]:
    """A project made through the API, once its embedding is done (similar jobs, hints)."""
    project = create_project(appliance, **fields)
    wait_for(
        lambda: (
            appliance.client.get(f"/api/v1/projects/{project['id']}").json()["status"] == "indexed"
        ),
        timeout=120,
        what=f"project {project['name']} indexed",
    )
    return project


def row_action(row: Locator, name: str, action: str, *, actions: str = "Aktionen") -> None:
    """Choose `action` (e.g. "Bearbeiten") for `name` from a list row's "⋯" menu."""
    row.get_by_role("button", name=f"{actions}: {name}").click()
    row.get_by_role("menuitem", name=f"{action}: {name}").click()


def open_technik(page: Page) -> None:
    """Unfold the task view's technical console ("Technik"), unless it is open already."""
    tech = page.locator("#tech")
    if tech.get_attribute("open") is None:
        tech.locator("summary").click()
    expect(tech).to_have_attribute("open", "")
