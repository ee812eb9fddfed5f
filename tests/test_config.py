"""Every setting is described, and the README's table is the generated one."""

from pathlib import Path

from appliance.config import Settings
from appliance.settings_table import settings_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"


def test_readme_lists_every_setting_as_generated() -> None:
    assert settings_table() in README.read_text("utf-8"), (
        "README's configuration table is stale: paste `python -m appliance.settings_table`"
    )


def test_data_folders_live_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    for folder in (settings.vectors_dir, settings.uploads_dir, settings.logs_dir):
        assert folder.parent == tmp_path and folder.is_dir()
    assert settings.app_db_path != settings.queue_db_path
