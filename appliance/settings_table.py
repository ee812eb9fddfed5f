"""The README's configuration table, generated from `Settings` (and tested against it)."""

from __future__ import annotations

import sys
from pathlib import Path

from appliance.config import Settings


def settings_table() -> str:
    """A Markdown table of every setting: variable, default, description."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if name == "data_dir":
            default = "per-user data folder (platformdirs)"
        else:
            default = f"`{field.default}`"
        lines.append(f"| `APPLIANCE_{name.upper()}` | {default} | {field.description} |")
    return "\n".join(lines)


BEGIN = "<!-- settings-table -->"
END = "<!-- /settings-table -->"


def update_readme(path: Path) -> None:
    """Replace the table between the markers in `path` with a freshly generated one."""
    text = path.read_text("utf-8")
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{settings_table()}\n{END}{tail}", "utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        update_readme(Path(sys.argv[2]))
    else:
        print(settings_table())
