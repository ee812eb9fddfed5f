"""Which failed documents another try can help: one rule, by the failure's code.

A file that is damaged, locked with a password or of a kind the appliance does not read
fails the same way every time: offering "try again" for it only makes a person wait for
the same message. What does need another try lies outside the file: a reader stopped
for time or memory, a crash, text recognition that was slow or missing, work that was
cancelled or given up after retries. The API (`retryable`), the retry endpoint and the
task monitor all ask `can_retry`, so they never disagree.
"""

from __future__ import annotations

# The extraction codes (`ExtractionError`) of failures that lie in the file itself, and
# `missing`: the uploaded file is gone, so there is nothing left to read again.
PERMANENT = frozenset(
    {
        "corrupt",
        "encrypted",
        "unsupported",
        "empty",
        "legacy_word",
        "zip_bomb",
        "too_many_pixels",
        "missing",
    }
)
FAILED = "failed"  # DocumentStatus.FAILED, without importing the models (they import this)


def can_retry(status: str, error_code: str | None) -> bool:
    """Whether processing the document again may end otherwise: it failed, and not for a
    reason in the file itself (an unknown or missing code counts as worth a try)."""
    return status == FAILED and error_code not in PERMANENT


def may_run_again(status: str, error_code: str | None) -> bool:
    """Whether a task about the document may be run again: anything but a failure that
    lies in the file itself (a finished paper's embedding may be retried, say)."""
    return status != FAILED or can_retry(status, error_code)
