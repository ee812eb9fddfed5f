"""The `appliance` command: run (default), worker, node, reindex, purge, backup, restore,
migrate, open, prepare-model, stop, selftest, version.

Exit codes: 0 done, 1 failed, 2 invalid settings, 3 cannot start (already running, port
in use), 4 a server the settings name (Redis) cannot be reached.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from appliance import __version__
from appliance.config import Settings
from appliance.errors import StartupError
from appliance.private_files import use_private_umask
from appliance.start_notice import tell_person
from appliance.wording import Language


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="data folder (APPLIANCE_DATA_DIR)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="appliance", description="HandwerkML Appliance: start it, or one of its parts."
    )
    commands = parser.add_subparsers(dest="command")

    run = commands.add_parser("run", help="start server, workers and UI (the default)")
    _add_run_flags(run)

    worker = commands.add_parser("worker", help="run one worker process")
    _add_common(worker)
    worker.add_argument("--name", default="huey@worker-manual", help="worker name")
    worker.add_argument("--queue", default="default", help="queue to consume (default)")
    worker.add_argument("--periodic", action="store_true", help="also run periodic tasks")
    worker.add_argument(
        "--supervised",
        action="store_true",
        help="started by the launcher: stop on 'stop' or end of stdin",
    )

    node = commands.add_parser(
        "node", help="run worker processes on another machine, against the shared runtime"
    )
    _add_common(node)
    node.add_argument(
        "--workers", type=int, help="worker processes on this machine (APPLIANCE_WORKERS)"
    )
    node.add_argument(
        "--embedding-workers",
        type=int,
        help="how many of them take embeddings (default: 1 when there are at least 2)",
    )
    node.add_argument(
        "--periodic",
        action="store_true",
        help="run the periodic tasks here (only when the server runs no workers)",
    )

    reindex = commands.add_parser(
        "reindex", help="re-embed all projects (or rebuild the vectors from stored ones)"
    )
    _add_common(reindex)
    reindex.add_argument(
        "--from-stored",
        action="store_true",
        help="rebuild the vector store from the stored vectors, without re-embedding",
    )

    purge = commands.add_parser(
        "purge", help="drop every waiting task (as celery purge), after asking"
    )
    _add_common(purge)
    purge.add_argument("--queue", help="only this queue (default or embeddings)")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    backup = commands.add_parser(
        "backup",
        help="write a backup archive (also while the appliance runs); prints its path last",
    )
    _add_common(backup)
    backup.add_argument(
        "--to",
        type=Path,
        help="folder for the archive (default: APPLIANCE_BACKUP_DIR, else backups/ in the "
        "data folder)",
    )

    restore = commands.add_parser(
        "restore", help="put a backup archive into an empty or new data folder"
    )
    restore.add_argument("archive", type=Path, help="the backup archive (.zip)")
    _add_common(restore)

    migrate = commands.add_parser(
        "migrate",
        help="move this installation (SQLite, vectors, uploads) to PostgreSQL and servers",
    )
    _add_common(migrate)
    migrate.add_argument(
        "--database-url",
        required=True,
        help="the empty target database, e.g. postgresql://user:password@host:5432/handwerkml",
    )
    migrate.add_argument("--qdrant-url", help="Qdrant server to write the vectors to")
    migrate.add_argument("--qdrant-api-key", help="API key for that Qdrant server")
    migrate.add_argument("--uploads-dir", type=Path, help="folder to copy the uploaded files to")

    extractor = commands.add_parser("extractor")  # internal: the parser sandbox's child
    extractor.add_argument("--memory-mb", type=int, default=1536)

    open_ui = commands.add_parser(
        "open", help="print the address (with its access token) of the running appliance"
    )
    _add_common(open_ui)
    open_ui.add_argument("--no-browser", action="store_true", help="only print it")

    prepare = commands.add_parser(
        "prepare-model",
        help="export the embedding model for ONNX Runtime now (else done at first need)",
    )
    _add_common(prepare)

    stop = commands.add_parser(
        "stop", help="stop the appliance running on the data folder and wait until it has"
    )
    _add_common(stop)
    commands.add_parser("selftest", help="start everything on a temporary folder and check it")
    commands.add_parser("version", help="print the version")
    _add_run_flags(parser)
    return parser


def _add_run_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to bind (APPLIANCE_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (APPLIANCE_PORT, default 8001)")
    parser.add_argument("--workers", type=int, help="worker processes (APPLIANCE_WORKERS)")
    parser.add_argument(
        "--no-browser", action="store_true", help="do not open the browser (APPLIANCE_OPEN_BROWSER)"
    )
    _add_common(parser)


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by the flags that were given."""
    overrides: dict[str, Any] = {}
    for flag in ("host", "port", "workers", "data_dir"):
        value = getattr(args, flag, None)
        if value is not None:
            overrides[flag] = value
    if getattr(args, "no_browser", False):
        overrides["open_browser"] = False
    return Settings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    # Whatever this program writes (databases, uploads, logs, tokens) is its user's alone.
    use_private_umask()
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    if command == "version":
        print(f"HandwerkML Appliance {__version__}")
        return 0
    if command == "selftest":
        from appliance.selftest import run_selftest

        return run_selftest()
    if command == "extractor":
        from appliance.reader.child import serve

        return serve(args.memory_mb)
    try:
        settings = settings_from(args)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            name = "_".join(str(part) for part in error["loc"]).upper()
            # A setting with an alias is reported under its variable's whole name.
            name = name if name.startswith("APPLIANCE_") else f"APPLIANCE_{name}"
            message = str(error["msg"]).removeprefix("Value error, ")
            print(f"Invalid setting {name}: {message}", file=sys.stderr)
        return 2
    from appliance.db import DatabaseUnavailableError

    try:
        return _run_command(command, args, settings)
    except DatabaseUnavailableError as exc:
        print(str(exc), file=sys.stderr)
        return 3


def _run_command(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "migrate":
        from appliance.migration_cli import migrate

        return migrate(
            settings,
            args.database_url,
            qdrant_url=args.qdrant_url,
            qdrant_api_key=args.qdrant_api_key,
            uploads_dir=args.uploads_dir,
        )

    try:
        return _dispatch(command, args, settings)
    except StartupError as exc:
        if sys.stderr is not None:  # a windowed program has none
            print(str(exc), file=sys.stderr)
        if command == "run":
            language = Language(settings.language)
            tell_person(exc.say(language), language)
        return exc.exit_code


def _dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "worker":
        from appliance.worker import run_worker

        return run_worker(
            settings,
            args.name,
            queue=args.queue,
            periodic=args.periodic,
            watch_parent=args.supervised,
        )

    if command == "node":
        from appliance.node import WorkerNode

        return WorkerNode(
            settings,
            count=settings.workers,
            embedding_workers=args.embedding_workers,
            periodic=args.periodic,
        ).run()

    if command == "reindex":
        from appliance.commands import reindex

        return reindex(settings, from_stored=args.from_stored)

    if command == "open":
        from appliance.instance import opening_url

        url = opening_url(settings)
        if url is None:
            print("HandwerkML Appliance is not running on this data folder.", file=sys.stderr)
            return 1
        print(url)
        if not args.no_browser:
            webbrowser.open(url)
        return 0

    if command == "purge":
        from appliance.commands import purge

        return purge(settings, queue=args.queue, confirmed=args.yes)

    if command == "stop":
        from appliance.commands import stop

        return stop(settings)

    if command == "prepare-model":
        from appliance.commands import prepare_model

        return prepare_model(settings)

    if command == "backup":
        from appliance.backup_cli import backup

        return backup(settings, args.to)

    if command == "restore":
        from appliance.backup_cli import restore

        return restore(settings, args.archive)

    from appliance.launcher import Launcher

    # Double-clicked (no sub-command) while it already runs: just show it again.
    return Launcher(settings, reuse_running=args.command is None).run()
