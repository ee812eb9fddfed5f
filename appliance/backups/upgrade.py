"""The backup taken before an older database is upgraded, so an upgrade can be undone.

Schema changes rewrite tables; should one go wrong, or the new version disappoint, the
archive written here restores the data as the old version left it (`appliance
restore`, then the old version). No backup, no upgrade: the start is refused instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from appliance.backups.archive import ArchiveError, write_archive
from appliance.config import Settings
from appliance.errors import StartupError

log = logging.getLogger("appliance.backups")


class UpgradeBackupError(StartupError):
    """The backup before an upgrade failed; the database was not touched."""


def backup_before_upgrade(settings: Settings) -> Callable[[str, str], None] | None:
    """What the schema calls before upgrading the app database from revision `found` to
    `head`; None where the appliance cannot back up (the database is on a server)."""
    if not settings.app_database_url.startswith("sqlite"):
        return None

    def run(found: str, head: str) -> None:
        target = settings.backup_target
        log.warning(
            "The app database is at revision %s; this version needs %s. Backing it up to "
            "%s before upgrading it.",
            found,
            head,
            target,
        )
        try:
            written = write_archive(
                settings.app_db_path,
                settings.queue_db_path,
                settings.uploads_dir,
                target,
                label=f"before-upgrade-{found}",
            )
        except (ArchiveError, OSError) as exc:
            raise UpgradeBackupError(
                "start.upgrade_backup_failed", target=target, reason=exc
            ) from None
        log.warning("Backup before the upgrade written: %s", written.path)

    return run
