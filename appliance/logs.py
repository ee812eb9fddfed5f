"""Logging: the console plus a rotating file in the data directory.

Worker processes write to stderr only; the launcher reads their lines and passes them to
its own handlers unchanged, so one log file shows the whole appliance in order and no two
processes ever rotate the same file.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys

from appliance.config import Settings

LOG_FILE = "appliance.log"
LOG_FORMAT = "%(asctime)s %(levelname)-7s [{process}] %(name)s: %(message)s"
MAX_LOG_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 5


class _Formatter(logging.Formatter):
    """Formats this process's records; lines forwarded from workers pass unchanged."""

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "preformatted", False):
            return record.getMessage()
        return super().format(record)


def setup_logging(settings: Settings, *, process_name: str, log_file: str | None) -> None:
    """Configure the root logger: stderr, plus `log_file` in the logs folder if given."""
    formatter = _Formatter(LOG_FORMAT.format(process=process_name))
    handlers: list[logging.Handler] = []
    # A windowed (frozen) program has no console: sys.stderr is None there.
    if sys.stderr is not None:
        handlers.append(logging.StreamHandler(sys.stderr))
    if log_file is not None:
        settings.logs_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                settings.logs_dir / log_file,
                maxBytes=MAX_LOG_BYTES,
                backupCount=LOG_BACKUPS,
                encoding="utf-8",
            )
        )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # Huey logs every dequeue at INFO; the ledger's own lines say more.
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def forward_line(line: str, source: str) -> None:
    """Write a line a worker process (or what it runs) printed to this process's handlers.

    Prefixed with the worker's name and with control characters escaped: the line may
    quote a hostile file (a parser's warning), and must not pass for the launcher's own
    line or hide itself with terminal escapes.
    """
    text = _CONTROL.sub(_escape, line.rstrip("\r\n"))
    record = logging.makeLogRecord(
        {
            "name": "worker",
            "msg": f"{source} | {text}",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "preformatted": True,
        }
    )
    logging.getLogger().handle(record)
