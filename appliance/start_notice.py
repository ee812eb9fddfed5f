"""Telling a person who double-clicked the program why it did not start.

A double-click has no terminal: on Windows the program has no console at all, and on
Linux the desktop throws its output away. A start error is then shown where the person
looks: a message box on Windows, a desktop notification on Linux (`notify-send`, when the
desktop has it). From a terminal the one-line message on stderr is enough.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

TITLE = "HandwerkML konnte nicht starten"
# By exit code (errors.StartupError): what happened, in the office's language; the
# technical detail follows.
SUMMARIES = {
    2: "Eine Einstellung passt nicht.",
    3: "Das Programm kann gerade nicht starten.",
    4: "Ein Server aus den Einstellungen ist nicht erreichbar.",
}


def on_a_terminal() -> bool:
    stream = sys.stderr
    return stream is not None and stream.isatty()


def tell_person(exit_code: int, german: str | None, detail: str) -> None:
    """Show why the start failed, when nobody reads a terminal."""
    if on_a_terminal():
        return
    text = german or f"{SUMMARIES.get(exit_code, SUMMARIES[3])}\n\n{detail}"
    if sys.platform == "win32":
        _message_box(text)
    elif shutil.which("notify-send"):
        subprocess.run(
            ["notify-send", "--app-name=HandwerkML", "--icon=dialog-error", TITLE, text],
            check=False,
            timeout=10,
        )


def _message_box(text: str) -> None:
    import ctypes

    error_icon = 0x10
    ctypes.windll.user32.MessageBoxW(None, text, TITLE, error_icon)  # type: ignore[attr-defined]
