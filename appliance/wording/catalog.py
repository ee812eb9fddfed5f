"""Every message for a person, by code: (German, English), placeholders in {braces}.

The parts live in modules by where the messages come from; a code is defined once
(tests/test_wording.py checks both languages and their placeholders).
"""

from __future__ import annotations

from appliance.wording.api_errors import API_ERRORS
from appliance.wording.extraction import EXTRACTION
from appliance.wording.processing import PROCESSING
from appliance.wording.startup import STARTUP
from appliance.wording.validation import VALIDATION
from appliance.wording.work import WORK

Entry = tuple[str, str]


def _merged(*parts: dict[str, Entry]) -> dict[str, Entry]:
    merged: dict[str, Entry] = {}
    for part in parts:
        twice = merged.keys() & part.keys()
        if twice:
            raise AssertionError(f"message codes defined twice: {sorted(twice)}")
        merged.update(part)
    return merged


CATALOG = _merged(API_ERRORS, EXTRACTION, PROCESSING, STARTUP, VALIDATION, WORK)
