"""The price hint ("Kalkulationshilfe") in a real browser against the real appliance: on a
job's page and in the form while a new job is typed, each job it rests on a link."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Watched, create_indexed, open_view, shoot
from tests.support import RunningAppliance

pytestmark = pytest.mark.e2e

# Tower clocks: no other test's job is like them, so the hint rests on these alone.
CLOCK = (
    "Turmuhr der Dorfkirche überholen: mechanisches Uhrwerk reinigen, Pendel und Hemmung "
    "instand setzen, Zifferblätter neu vergolden, Glockenschlagwerk einstellen."
)
# The middle half is 8.700 to 15.300 (median 12.400); 40.000 is an outlier.
COSTS = [7000, 8700, 12400, 15300, 40000]
RANGE = "Ähnliche abgeschlossene Aufträge kosteten 8.700 €–15.300 € (Median 12.400 €)."


def test_a_job_page_and_the_form_say_what_similar_completed_jobs_cost(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    past = [
        create_indexed(
            appliance,
            name=f"Turmuhr {town} {tag}",
            trade="Uhrmacher",
            phase="abgeschlossen",
            final_cost=cost,
            description=CLOCK,
        )
        for town, cost in zip(["Adorf", "Bedorf", "Cedorf", "Dedorf", "Edorf"], COSTS, strict=True)
    ]
    job = create_indexed(
        appliance,
        name=f"Turmuhr Fedorf {tag}",
        trade="Uhrmacher",
        phase="angefragt",
        description="Kirchturmuhr überholen, Uhrwerk reinigen und Zifferblätter vergolden.",
    )
    page.goto(f"{appliance.url}/?token={appliance.token}#project/{job['id']}")
    box = page.locator("#page-hint")
    expect(box.locator(".hint-text")).to_have_text(RANGE)
    expect(box.locator(".hint-caution")).to_be_hidden()
    links = box.locator(".hint-jobs a")
    expect(links).to_have_count(len(past))
    expect(box.locator(".hint-jobs")).to_contain_text("40.000,00 €")
    shoot(page, "price-hint-page")

    # Each job it rests on leads to its own page.
    box.get_by_role("link", name=past[1]["name"]).click()
    expect(page).to_have_url(re.compile(f"#project/{past[1]['id']}$"))
    expect(page.locator("#page-title")).to_have_text(past[1]["name"])

    # The form says it while a new job is typed, before anything is saved.
    open_view(page, appliance, "projects")
    page.get_by_role("button", name="Neues Projekt").click()
    form = page.locator("#project-dialog")
    hint = form.locator("#pf-hint")
    expect(hint.locator(".hint-text")).to_contain_text("Name und Beschreibung eingeben")
    form.locator("#pf-name").fill(f"Turmuhr Gedorf {tag}")
    form.locator("#pf-description").fill(CLOCK)
    expect(hint.locator(".hint-text")).to_have_text(RANGE)
    expect(hint.locator(".hint-jobs a")).to_have_count(len(past))
    # Its links open another tab: what is typed in the form stays.
    expect(hint.locator(".hint-jobs a").first).to_have_attribute("target", "_blank")
    shoot(page, "price-hint-form")

    # A job unlike every completed one: the hint says there is too little to go on.
    form.locator("#pf-name").fill(f"Segelboot lackieren {tag}")
    form.locator("#pf-description").fill("Rumpf eines Holzsegelboots schleifen und lackieren.")
    expect(hint.locator(".hint-text")).to_have_text(re.compile("^Zu wenig, um daraus"))
    expect(hint.locator(".hint-jobs")).to_be_hidden()
    form.get_by_role("button", name="Abbrechen").click()


def test_with_few_jobs_the_hint_says_it_is_a_rough_guide(
    watched: Watched, appliance: RunningAppliance
) -> None:
    page = watched.page
    tag = uuid.uuid4().hex[:6]
    description = (
        "Kachelofen abreißen und neu setzen lassen: Schamotte, Zugsystem, grüne Ofenkacheln "
        "aus der Manufaktur, Ofenbank mit Sitzheizung."
    )
    for town, cost in [("Hadorf", 18000), ("Idorf", 24500.5)]:
        create_indexed(
            appliance,
            name=f"Kachelofen {town} {tag}",
            trade="Ofenbau",
            phase="abgeschlossen",
            final_cost=cost,
            description=description,
        )
    job = create_indexed(
        appliance, name=f"Kachelofen Jedorf {tag}", trade="Ofenbau", description=description
    )
    page.goto(f"{appliance.url}/?token={appliance.token}#project/{job['id']}")
    box = page.locator("#page-hint")
    expect(box.locator(".hint-text")).to_have_text(
        "Ähnliche abgeschlossene Aufträge kosteten 18.000 €–24.501 € (Median 21.250 €)."
    )
    expect(box.locator(".hint-caution")).to_have_text(
        "Nur 2 ähnliche Aufträge: ein grober Anhaltspunkt, keine Kalkulation."
    )
