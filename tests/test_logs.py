"""Lines the workers print reach the log marked as theirs, with control characters escaped."""

from __future__ import annotations

import logging

import pytest

from appliance.logs import forward_line


def test_a_worker_cannot_forge_a_launcher_line(caplog: pytest.LogCaptureFixture) -> None:
    forged = (
        "WARNING:pypdf:bad xref in Angebot\n"
        "2026-12-02 06:00:00,000 INFO    [launcher] appliance.launcher: stopped\x1b[2K\u2028x"
    )
    with caplog.at_level(logging.INFO):
        forward_line(forged + "\n", "huey@worker-2")
    (line,) = caplog.messages
    assert line.startswith("huey@worker-2 | WARNING:pypdf:bad xref")
    assert "\n" not in line and "\x1b" not in line and "\u2028" not in line
    assert "\\x0a2026-12-02" in line and "\\x1b[2K" in line and "\\u2028x" in line
