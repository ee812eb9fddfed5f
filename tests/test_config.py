"""Every setting is described, and the README's table is the generated one."""

from pathlib import Path

import pytest
from pydantic import ValidationError

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


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"queue_url": "http://redis:6379"}, "must be a Redis URL"),
        ({"server_url": "buero-pc:8001"}, "http:// or https://"),
        ({"workers": 0}, "workers=0 needs APPLIANCE_QUEUE_URL"),
        ({"worker_token": "short"}, "at least 16 characters"),
        ({"node_name": "a/b"}, "should match pattern"),
    ],
)
def test_settings_for_several_machines_are_checked(
    tmp_path: Path, values: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(data_dir=tmp_path, **values)  # type: ignore[arg-type]


def test_a_server_without_workers_is_fine_with_a_shared_queue(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, workers=0, queue_url="redis://h:6379/0", server_url="http://s:8001/"
    )
    assert settings.distributed and settings.server_url == "http://s:8001"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u:p@db:5432/hwml", "postgresql+psycopg://u:p@db:5432/hwml"),
        ("postgres://u@db/hwml", "postgresql+psycopg://u@db/hwml"),
        ("postgresql+psycopg://u@db/hwml", "postgresql+psycopg://u@db/hwml"),
        ("sqlite:////srv/appliance/app.db", "sqlite:////srv/appliance/app.db"),
        ("  ", None),
    ],
)
def test_database_urls_are_normalized(given: str, used: str | None) -> None:
    assert Settings(database_url=given).database_url == used


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("sqlite:///relative/app.db", "needs an absolute path"),
        ("mysql://u@db/hwml", "'mysql://' is not supported"),
        ("postgresql+psycopg2://u@db/hwml", "not supported"),
        ("app.db", "not a database URL"),
    ],
)
def test_bad_database_urls_are_refused_with_the_accepted_forms(given: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(database_url=given)
    assert message in str(raised.value) and "postgresql://user:password@host" in str(raised.value)


def test_without_a_database_url_the_app_database_is_the_data_dir_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.app_database_url == f"sqlite:///{tmp_path.resolve() / 'app.db'}"


def test_the_embedding_threads_setting_is_still_read_under_its_old_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APPLIANCE_TORCH_THREADS", "3")
    assert Settings().embedding_threads == 3
    monkeypatch.setenv("APPLIANCE_EMBEDDING_THREADS", "2")  # the new name wins
    assert Settings().embedding_threads == 2
