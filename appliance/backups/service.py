"""Backups as the office sees them: when the last one ran, where, how big; run one now.

A backup runs as a task (`tasks.backup`), so it shows in the task monitor and never
holds up a request. `tasks.backup_if_due` runs every hour and at every start, and makes
one when the last good backup is older than a day: an office PC is often off at night,
so a fixed hour would be missed. The newest APPLIANCE_BACKUP_KEEP archives are kept.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from appliance.backups.archive import NAME_PREFIX, ArchiveError, write_archive
from appliance.backups.models import Backup, BackupState
from appliance.documents.models import Document
from appliance.errors import AppError, NotFoundError
from appliance.holds import BACKUP_SNAPSHOT_TAKEN, HoldPoints
from appliance.runtime import Runtime
from appliance.search import OWN_FILE_NAME
from appliance.wording import Language, say

log = logging.getLogger("appliance.backups")

DUE_AFTER = timedelta(days=1)
STALE_AFTER = timedelta(days=3)  # the UI warns in every view past this
POSTGRES_NOTE = say("backup_on_postgres", Language.EN)


class BackupNotPossibleError(AppError):
    status = 409


class BackupService:
    """Make backups, keep the newest, and say how things stand."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def supported(self) -> bool:
        return self.runtime.db.dialect == "sqlite"

    def run(
        self, reason: str, *, target: Path | None = None, now: datetime | None = None
    ) -> Backup:
        """Make one backup now (in this process); its record, done or failed.

        Into `target` if given (the older archives there are left alone), else into the
        backup folder, where only the newest APPLIANCE_BACKUP_KEEP are kept.
        """
        if not self.supported:
            raise BackupNotPossibleError("backup_on_postgres")
        settings = self.runtime.settings
        rotate = target is None
        target = target or settings.backup_target
        record = Backup(started_at=now or datetime.now(UTC), reason=reason, target_dir=str(target))
        with self.runtime.db.session(write=True) as session:
            session.add(record)
        try:
            written = write_archive(
                settings.app_db_path,
                settings.queue_db_path,
                settings.uploads_dir,
                target,
                still_exists=self._document_exists,
                now=record.started_at,
                adjust_snapshot=lambda conn, path: _finished_in_snapshot(conn, path, record.id),
                after_snapshot=lambda: HoldPoints(settings.hold_dir).wait(BACKUP_SNAPSHOT_TAKEN),
                own_files=(settings.data_dir / OWN_FILE_NAME,),
            )
        except (ArchiveError, OSError) as exc:
            self._finish(record.id, state=BackupState.FAILED, error=str(exc))
            log.error("backup to %s failed: %s", target, exc)
            raise
        # Done even with problems (a damaged upload): all else is safe, and the UI says
        # which files need a look.
        self._finish(
            record.id,
            state=BackupState.DONE,
            path=str(written.path),
            size_bytes=written.size,
            error="\n".join(written.problems) or None,
        )
        removed = self._keep_newest(target, settings.backup_keep) if rotate else []
        log.info(
            "backup written: %s (%.1f MB)%s",
            written.path,
            written.size / 1e6,
            f"; {len(removed)} older removed" if removed else "",
        )
        for problem in written.problems:
            log.warning("backup %s: %s", written.path.name, problem)
        return self.record(record.id)

    def close_interrupted(self) -> int:
        """At start: backups that were running when the appliance stopped did not finish."""
        if not self.supported:
            return 0
        with self.runtime.db.session(write=True) as session:
            running = session.exec(
                select(Backup).where(col(Backup.state) == BackupState.RUNNING)
            ).all()
            for record in running:
                record.state = BackupState.FAILED
                record.error = say("backup.interrupted", Language.EN)
                record.finished_at = datetime.now(UTC)
                session.add(record)
        return len(running)

    def start_now(self) -> str:
        """Queue a backup ("Jetzt sichern"); the task id."""
        if not self.supported:
            raise BackupNotPossibleError("backup_on_postgres")
        return self.runtime.queue.enqueue("tasks.backup", "manual")

    def due(self, now: datetime | None = None) -> bool:
        """Whether the last good backup is older than a day (or there is none)."""
        if not self.supported:
            return False
        last = self._last(BackupState.DONE)
        now = now or datetime.now(UTC)
        return last is None or last.started_at.replace(tzinfo=UTC) < now - DUE_AFTER

    def record(self, backup_id: str) -> Backup:
        with self.runtime.db.session() as session:
            record = session.get(Backup, backup_id)
        if record is None:
            raise NotFoundError("backup_not_found", id=backup_id)
        return record

    def latest_archive(self) -> Path:
        """The newest good archive that is still there."""
        with self.runtime.db.session() as session:
            done = session.exec(
                select(Backup)
                .where(col(Backup.state) == BackupState.DONE)
                .order_by(col(Backup.started_at).desc())
            ).all()
        for record in done:
            if record.path and Path(record.path).is_file():
                return Path(record.path)
        raise NotFoundError("backup_none_yet")

    def status(self, now: datetime | None = None) -> dict[str, Any]:
        """What the UI's "Datensicherung" shows, and whether every view should warn."""
        settings = self.runtime.settings
        now = now or datetime.now(UTC)
        last, last_good = self._last(None), self._last(BackupState.DONE)
        warning = None
        if not self.supported:
            warning = None
        elif last is not None and last.state == BackupState.FAILED:
            warning = "failed"
        elif last_good is None or last_good.started_at.replace(tzinfo=UTC) < now - STALE_AFTER:
            warning = "stale"
        elif last_good.error:
            warning = "problems"
        return {
            "supported": self.supported,
            "note": None if self.supported else POSTGRES_NOTE,
            "target_dir": str(settings.backup_target),
            # A backup on the disk that holds the data does not survive that disk.
            "same_disk": settings.backup_dir is None,
            "keep": settings.backup_keep,
            "last": _view(last),
            "last_good": _view(last_good),
            "warning": warning,
            "history": [_view(b) for b in self._recent(10)],
        }

    def _last(self, state: BackupState | None) -> Backup | None:
        query = select(Backup).order_by(col(Backup.started_at).desc()).limit(1)
        if state is not None:
            query = query.where(col(Backup.state) == state)
        else:
            query = query.where(col(Backup.state) != BackupState.RUNNING)
        with self.runtime.db.session() as session:
            return session.exec(query).first()

    def _recent(self, count: int) -> list[Backup]:
        with self.runtime.db.session() as session:
            query = select(Backup).order_by(col(Backup.started_at).desc()).limit(count)
            return list(session.exec(query))

    def _finish(self, backup_id: str, **values: Any) -> None:
        with self.runtime.db.session(write=True) as session:
            record = session.get(Backup, backup_id, with_for_update=True)
            if record is not None:
                record.sqlmodel_update({**values, "finished_at": datetime.now(UTC)})
                session.add(record)

    def _document_exists(self, document_id: str) -> bool:
        with self.runtime.db.session() as session:
            return session.get(Document, document_id) is not None

    @staticmethod
    def _keep_newest(folder: Path, keep: int) -> list[Path]:
        archives = sorted(folder.glob(f"{NAME_PREFIX}*.zip"), reverse=True)  # names sort by time
        removed = archives[keep:]
        for path in removed:
            path.unlink(missing_ok=True)
        return removed


def _finished_in_snapshot(conn: sqlite3.Connection, path: Path, backup_id: str) -> None:
    # Restored, the backup that wrote this archive has finished, not "running".
    conn.execute("UPDATE backups SET state = 'DONE', path = ? WHERE id = ?", (str(path), backup_id))


def _view(record: Backup | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "id": record.id,
        "state": record.state.value,
        "reason": record.reason,
        "started_at": record.started_at.replace(tzinfo=UTC).isoformat(),
        "finished_at": record.finished_at.replace(tzinfo=UTC).isoformat()
        if record.finished_at
        else None,
        "path": record.path,
        "size_bytes": record.size_bytes,
        "error": record.error,
    }
