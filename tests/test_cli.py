import os
import socket
import subprocess
import sys

from appliance import __version__
from appliance.cli import build_parser, settings_from


def test_version_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "appliance", "version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"HandwerkML Appliance {__version__}"


def test_flags_override_environment(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("APPLIANCE_PORT", "9000")
    monkeypatch.setenv("APPLIANCE_WORKERS", "2")
    args = build_parser().parse_args(
        ["run", "--port", "9100", "--data-dir", str(tmp_path), "--no-browser"]
    )
    settings = settings_from(args)
    assert (settings.port, settings.workers) == (9100, 2)
    assert settings.data_dir == tmp_path and settings.open_browser is False


def test_defaults() -> None:
    settings = settings_from(build_parser().parse_args([]))
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8001, 4)


def test_invalid_setting_is_a_clear_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("APPLIANCE_PORT", "not-a-port")
    from appliance.cli import main

    assert main(["version"]) == 0
    assert main(["run"]) == 2


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "APPLIANCE_DATABASE_URL": "postgresql://hw:geheim@127.0.0.1:1/handwerkml",
        "APPLIANCE_DATA_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-m", "appliance", "reindex"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 3
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(
        "Cannot use the app database postgresql+psycopg://hw:***@127.0.0.1:1"
    )
    assert "Connection refused" in lines[0] and "geheim" not in out.stderr


def test_a_bad_setting_is_one_line_naming_the_variable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "APPLIANCE_DATABASE_URL": "mysql://x@y/z"}
    out = subprocess.run(
        [sys.executable, "-m", "appliance", "run", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "Invalid setting APPLIANCE_DATABASE_URL: 'mysql://' is not supported; use "
        "postgresql://user:password@host:5432/dbname, or sqlite:////absolute/path/app.db"
    ]


def test_a_model_setting_that_names_no_model_is_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "APPLIANCE_EMBEDDING_MODEL": str(tmp_path / "no-model-here")}
    out = subprocess.run(
        [sys.executable, "-m", "appliance", "reindex", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"Invalid setting APPLIANCE_EMBEDDING_MODEL: {tmp_path / 'no-model-here'} is not a "
        "sentence-transformers model folder. Nothing was changed; the search keeps the "
        "model it has."
    ]


def test_a_start_error_without_a_terminal_reaches_the_desktop_in_german(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Double-clicked, nobody reads stderr: the desktop's notification tool is told. The
    # tool here stands in for the desktop's and writes down what it was asked to show.
    tools = tmp_path / "bin"
    tools.mkdir()
    shown = tmp_path / "shown.txt"
    notify = tools / "notify-send"
    notify.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {shown}\n', encoding="utf-8")
    notify.chmod(0o755)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}"}
        command = [sys.executable, "-m", "appliance", "--data-dir", str(tmp_path / "data")]
        out = subprocess.run(
            [*command, "--port", str(port), "--no-browser"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    assert out.returncode == 3
    assert f"Port {port} on 127.0.0.1 is in use" in out.stderr
    lines = shown.read_text("utf-8").splitlines()
    assert "HandwerkML konnte nicht starten" in lines
    assert f"Port {port} wird schon von einem anderen Programm benutzt." in " ".join(lines)
