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

from appliance.wording import Language, say


def on_a_terminal() -> bool:
    stream = sys.stderr
    return stream is not None and stream.isatty()


def tell_person(message: str, language: Language) -> None:
    """Show why the start failed (`message`, in `language`), when nobody reads a terminal."""
    if on_a_terminal():
        return
    title = say("start.title", language)
    if sys.platform == "win32":
        _message_box(title, message)
    elif shutil.which("notify-send"):
        subprocess.run(
            ["notify-send", "--app-name=HandwerkML", "--icon=dialog-error", title, message],
            check=False,
            timeout=10,
        )


def _message_box(title: str, text: str) -> None:
    import ctypes

    error_icon = 0x10
    ctypes.windll.user32.MessageBoxW(None, text, title, error_icon)  # type: ignore[attr-defined]
