"""Where a worker finds an uploaded file: the uploads folder, or the launcher's API.

Workers started by the launcher share its uploads folder. A worker node on another
machine has no such folder: it downloads the file from the launcher
(`/internal/files/<stored name>`, checked against the document's sha256) into its own
uploads folder, reads it, and removes the copy, so nodes keep no customer files.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from appliance.config import Settings
from appliance.internal_client import (
    FILES,
    INTERNAL_PREFIX,
    InternalClient,
    RemoteFileMissingError,
)
from appliance.tasking.context import PermanentTaskError
from appliance.wording import Language, say

log = logging.getLogger("appliance.documents")

FILES_PATH = INTERNAL_PREFIX + FILES


class UploadMissingError(PermanentTaskError):
    """Neither the uploads folder nor the launcher has the file."""

    def __init__(self) -> None:
        super().__init__(say("document.upload_missing", Language.EN))


def stored_path(settings: Settings, stored_name: str) -> Path:
    """The upload's path; a name that points outside the uploads folder is refused."""
    folder = settings.uploads_dir.resolve()
    path = (folder / stored_name).resolve()
    if path.parent != folder:
        raise PermanentTaskError(say("document.bad_file_name", Language.EN))
    return path


@contextmanager
def uploaded_file(settings: Settings, stored_name: str, sha256: str) -> Iterator[Path]:
    """The file to read: the local one, or a downloaded copy that is removed afterwards.

    Raises `UploadMissingError` when it exists nowhere, and `LauncherUnavailableError`
    (retried by the task engine) when the launcher cannot be asked.
    """
    path = stored_path(settings, stored_name)
    if path.is_file():
        yield path
        return
    if not settings.server_url:
        raise UploadMissingError()
    client = InternalClient.for_settings(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        client.download(FILES_PATH + stored_name, path, sha256=sha256)
    except RemoteFileMissingError:
        raise UploadMissingError() from None
    finally:
        client.close()
    log.info("fetched %s from %s", stored_name, settings.server_url)
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
