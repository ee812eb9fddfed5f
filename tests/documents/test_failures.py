"""Which failed documents another try can help: the one rule the API, the retry and the
task monitor share."""

from __future__ import annotations

import pytest

from appliance.documents.failures import PERMANENT, can_retry, may_run_again

# Every code a failed document can carry, by where it comes from.
IN_THE_FILE = ["corrupt", "encrypted", "unsupported", "empty", "legacy_word", "zip_bomb"]
IN_THE_FILE += ["too_many_pixels", "missing"]
OUTSIDE_THE_FILE = [
    "timeout",  # the reader ran out of time (a busy machine, a huge scan)
    "too_much_memory",
    "parser_crashed",  # a killed or crashed reader
    "ocr_timeout",
    "ocr_failed",
    "ocr_unavailable",  # tesseract missing: fixed by an installation, then worth a try
    "revoked",
    "purged",
    "gave_up",
    None,  # a failure older versions stored without a code
    "something_new",
]


@pytest.mark.parametrize("code", IN_THE_FILE)
def test_a_failure_in_the_file_itself_is_not_worth_another_try(code: str) -> None:
    assert code in PERMANENT
    assert not can_retry("failed", code)
    assert not may_run_again("failed", code)


@pytest.mark.parametrize("code", OUTSIDE_THE_FILE)
def test_a_failure_outside_the_file_may_be_tried_again(code: str | None) -> None:
    assert can_retry("failed", code)
    assert may_run_again("failed", code)


@pytest.mark.parametrize("status", ["pending", "processing", "completed"])
def test_only_failed_documents_are_retried_but_their_other_tasks_may_run_again(
    status: str,
) -> None:
    # A finished paper whose embedding task failed: that task may be run again.
    assert not can_retry(status, None)
    assert may_run_again(status, "corrupt")
