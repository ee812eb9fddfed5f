"""The UI's translations (ui/js/i18n.js): complete in German and English, and covering every
code the API sends and every text key the UI uses."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest

from appliance.documents.models import DocumentStage, DocumentStatus
from appliance.extract.types import FileType
from appliance.projects.models import EmbeddingStatus, Phase
from appliance.tasking.states import TaskState
from appliance.tasks import build_registry

UI = Path(__file__).resolve().parents[1] / "ui"
STRING = r'"((?:[^"\\]|\\.)*)"'
ENTRY = re.compile(rf"^\s*{STRING}: \[{STRING}, {STRING}\],$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def messages() -> dict[str, tuple[str, str]]:
    source = (UI / "js" / "i18n.js").read_text("utf-8")
    block = source.split("const MESSAGES = {\n", 1)[1].split("\n};", 1)[0]
    found: dict[str, tuple[str, str]] = {}
    for line in block.splitlines():
        if line.strip().startswith("//"):
            continue  # a comment naming a block of keys
        match = ENTRY.match(line)
        assert match, f"not a one-line entry [German, English]: {line!r}"
        key, german, english = match.groups()
        assert key not in found, f"{key} is defined twice"
        found[key] = (german, english)
    return found


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    table = messages()
    assert len(table) > 100
    for key, (german, english) in table.items():
        assert german.strip() and english.strip(), key
        assert set(PLACEHOLDER.findall(german)) == set(PLACEHOLDER.findall(english)), key


@pytest.mark.parametrize(
    ("prefix", "codes"),
    [
        ("doc.status", DocumentStatus),
        ("doc.stage", DocumentStage),
        ("doc.type", FileType),
        ("project.status", EmbeddingStatus),
        ("phase", Phase),
        ("task.state", TaskState),
    ],
)
def test_every_code_the_api_sends_is_translated(prefix: str, codes: type[StrEnum]) -> None:
    table = messages()
    missing = [code.value for code in codes if f"{prefix}.{code.value}" not in table]
    assert missing == []


def test_every_task_has_a_readable_name() -> None:
    table = messages()
    assert [n for n in build_registry().names() if f"task.name.{n}" not in table] == []


def test_every_key_the_ui_uses_is_defined() -> None:
    table = messages()
    # A key in quotes anywhere in the UI's code, e.g. "docs.heading"; keys built in template
    # literals are the codes checked against the enums above.
    prefixes = "|".join(sorted({key.split(".")[0] for key in table}))
    quoted_key = re.compile(rf'"((?:{prefixes})\.[\w.\-]+)"')
    used: set[str] = set()
    html = (UI / "index.html").read_text("utf-8")
    used.update(re.findall(r'data-i18n(?:-[\w-]+)?="([^"]+)"', html))
    for script in (UI / "js").glob("*.js"):
        if script.name != "i18n.js":
            used.update(quoted_key.findall(script.read_text("utf-8")))
    assert len(used) > 50
    assert sorted(used - table.keys()) == []
