"""The README's configuration table, generated from `Settings` (and tested against it)."""

from __future__ import annotations

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


if __name__ == "__main__":
    print(settings_table())
