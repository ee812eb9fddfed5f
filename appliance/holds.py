"""Hold points: named places where work waits while a file of that name exists.

A test that must see an in-between state (a document half read, a task provably running
when its worker is killed, a parse that outlasts its timeout) cannot bet on how fast the
machine is: on a fast one the state is over before anyone looks. Instead it creates a
hold file, watches the state, and deletes the file to let the work go on. Off unless
`APPLIANCE_HOLD_DIR` names a folder; then the points are:

- `task-<task name>`: a task waits after its worker claimed it (it is STARTED), before
  its body runs;
- `document-of-<n>-pages`: reading a document of n pages waits before its second page
  (page 1 is read and reported);
- `backup-snapshot-taken`: a backup waits after it has copied the databases, before it
  packs the uploads.

While work waits at a point, a file `<name>.reached` says so (for the test to see).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

POLL_INTERVAL = 0.02
BACKUP_SNAPSHOT_TAKEN = "backup-snapshot-taken"


def _always() -> bool:
    return True


class HoldPoints:
    """The hold files of one folder, or none (`folder` None: nothing ever waits)."""

    def __init__(self, folder: Path | str | None) -> None:
        self.folder = Path(folder) if folder else None

    def wait(self, name: str, *, still_wanted: Callable[[], bool] = _always) -> None:
        """Return once no hold file `name` exists (or `still_wanted()` turns False)."""
        if self.folder is None:
            return
        path = self.folder / name
        if not path.exists():
            return
        (self.folder / f"{name}.reached").touch()
        while path.exists() and still_wanted():
            time.sleep(POLL_INTERVAL)

    @staticmethod
    def task(name: str) -> str:
        return f"task-{name}"

    @staticmethod
    def document_of(pages: int) -> str:
        return f"document-of-{pages}-pages"
