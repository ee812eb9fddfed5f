"""`appliance backup` and `appliance restore`, for a person at the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from appliance.backups.archive import ArchiveError
from appliance.backups.restore import RestoreRefusedError
from appliance.backups.restore import restore as restore_archive
from appliance.backups.service import POSTGRES_NOTE, BackupService
from appliance.bootstrap import start_runtime
from appliance.config import Settings


def backup(settings: Settings, to: Path | None) -> int:
    """Write one archive (the appliance may run meanwhile); its path is the last line."""
    if not settings.app_database_url.startswith("sqlite"):
        # A partial archive would pass for a backup: say what to use instead.
        print(f"No backup written. {POSTGRES_NOTE}", file=sys.stderr)
        return 2
    if not settings.app_db_path.is_file():
        print(f"There is no appliance data in {settings.data_dir}.", file=sys.stderr)
        return 1
    runtime = start_runtime(settings)
    try:
        record = BackupService(runtime).run("command", target=to)
    except (ArchiveError, OSError) as exc:
        print(f"The backup failed: {exc}", file=sys.stderr)
        return 1
    finally:
        runtime.close()
    if record.error:
        print(f"Warning: {record.error}", file=sys.stderr)
    size_mb = (record.size_bytes or 0) / 1e6
    print(f"Backup of {settings.data_dir} written ({size_mb:.1f} MB):")
    print(record.path)
    return 0


def restore(settings: Settings, archive: Path) -> int:
    """Unpack `archive` into the (absent or empty) data folder."""
    try:
        restored = restore_archive(archive, settings)
    except RestoreRefusedError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    counts = restored.manifest.get("counts", {})
    print(
        f"Restored the backup of {restored.manifest.get('created_at', '?')} "
        f"({counts.get('projects', 0)} projects, {counts.get('documents', 0)} documents) "
        f"into {restored.data_dir}."
    )
    print(f"Start the appliance on it with: appliance --data-dir {restored.data_dir}")
    return 0
