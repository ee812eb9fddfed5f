"""A model folder of the office's own is exported to ONNX once, checked, and cached.

The model here is the bundled one with another pooling (the [CLS] token instead of the
mean): other vectors, so an export that silently kept the bundled model's pooling, or a
cache that served the bundled export for it, would fail the comparison.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from appliance.config import Settings
from appliance.embedding import bundled_model_path, open_embedder
from appliance.embedding.model_folder import model_fingerprint
from appliance.embedding.prepare import prepared_onnx_model

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "Gäste-WC erneuern",
    "Brenner tauschen, Ölheizung im Keller",
    "Dachrinnenreparatur mit Fallrohren aus Titanzink " * 40,  # windows
    "Zählerschrank erneuern",
]


def cls_pooling_model(folder: Path) -> Path:
    shutil.copytree(bundled_model_path(), folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text("utf-8"))
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config), "utf-8")
    return folder


def without_torch(script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` in a fresh interpreter in which torch cannot be imported."""
    blocked = "import sys\nsys.modules['torch'] = None\n" + script
    return subprocess.run(
        [sys.executable, "-c", blocked], capture_output=True, text=True, timeout=300, cwd=ROOT
    )


@pytest.fixture(scope="module")
def own_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cls_pooling_model(tmp_path_factory.mktemp("models") / "cls-model")


def test_an_own_model_is_exported_once_and_gives_its_reference_vectors(
    own_model: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    settings = {"data_dir": tmp_path / "data", "embedding_model": own_model}
    onnx = open_embedder(
        Settings(**settings, model_cache_dir=cache, embedding_engine="onnx"),
        threads=1,
        background=False,
    )
    reference = open_embedder(
        Settings(**settings, embedding_engine="torch"), threads=1, background=False
    )
    exported, expected = onnx.embed(TEXTS), reference.embed(TEXTS)
    assert float(np.sum(exported * expected, axis=1).min()) >= 0.9999
    # Really another model than the bundled one: its vectors differ.
    bundled = open_embedder(Settings(data_dir=tmp_path / "data"), threads=1, background=False)
    assert float(np.sum(bundled.embed(TEXTS) * exported, axis=1).max()) < 0.99

    (export,) = [p for p in cache.iterdir() if p.is_dir()]
    assert export.name.startswith(model_fingerprint(own_model)[:32])
    made = (export / "model.onnx").stat().st_mtime_ns
    # Once exported, a process without torch uses it (and does not export again).
    done = without_torch(
        "from pathlib import Path\n"
        "from appliance.embedding.prepare import prepared_onnx_model\n"
        f"print(prepared_onnx_model(Path({str(own_model)!r}), Path({str(cache)!r})).folder)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(export)
    assert (export / "model.onnx").stat().st_mtime_ns == made


def test_a_changed_model_is_not_served_the_old_export(own_model: Path, tmp_path: Path) -> None:
    changed = shutil.copytree(own_model, tmp_path / "changed")
    cache = tmp_path / "cache"
    # An export in an earlier format, left by the program before an upgrade.
    stem = model_fingerprint(own_model)[:32]
    (cache / f"{stem}-v1").mkdir(parents=True)
    (cache / f"{stem}-v1" / "model.onnx").write_bytes(b"an older export")
    (cache / f"{stem}-v1.lock").touch()
    current = prepared_onnx_model(own_model, cache).folder  # the unchanged model's export
    assert sorted(p.name for p in cache.iterdir()) == [current.name, f"{current.name}.lock"]
    config = changed / "1_Pooling" / "config.json"
    config.write_text(
        config.read_text("utf-8").replace(
            '"pooling_mode_max_tokens": false', '"pooling_mode_max_tokens": true'
        ),
        "utf-8",
    )
    assert model_fingerprint(changed) != model_fingerprint(own_model)

    # Without torch the new model cannot be exported: a clear refusal, not the old export.
    done = without_torch(
        "from pathlib import Path\n"
        "from appliance.embedding.prepare import ModelNotPreparedError, prepared_onnx_model\n"
        "try:\n"
        f"    prepared_onnx_model(Path({str(changed)!r}), Path({str(cache)!r}))\n"
        "except ModelNotPreparedError as exc:\n"
        "    print(exc.exit_code, exc)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("3 The embedding model ")
    assert "appliance prepare-model" in done.stdout
    assert "APPLIANCE_EMBEDDING_ENGINE=torch" in done.stdout


def test_a_folder_that_is_no_model_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a sentence-transformers model folder"):
        prepared_onnx_model(tmp_path, tmp_path / "cache")


def test_prepare_model_prints_the_export_folder(tmp_path: Path) -> None:
    """`appliance prepare-model`, which set-up runs: the bundled model's cached export."""
    done = subprocess.run(
        [sys.executable, "-m", "appliance", "prepare-model", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip().splitlines()[-1])
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    assert meta["dimension"] == 384
    assert meta["fingerprint"] == model_fingerprint(bundled_model_path())
    assert meta["lowest_cosine"] >= 0.9999
