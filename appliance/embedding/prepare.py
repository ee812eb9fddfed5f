"""The ONNX export a model folder needs: shipped with the program, cached, or made now.

A model folder is exported once (with torch, by export.py) into
`<cache>/<fingerprint>-v<format>/`. The fingerprint covers every file of the model folder,
so a changed model is exported again rather than served from a stale export. A frozen
program ships the export of the bundled model and needs no torch at all.

Set-up (`scripts/setup-env`, `appliance prepare-model`) exports ahead of time; otherwise
the first process that needs the export makes it while the others wait on a lock file.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from filelock import FileLock

from appliance.embedding.model_folder import bundled_model_path, model_fingerprint
from appliance.embedding.onnx_model import EXPORT_FORMAT, OnnxModel, is_complete, shipped_export
from appliance.errors import StartupError

log = logging.getLogger("appliance.embedding")


class ModelNotPreparedError(StartupError):
    """The model has no ONNX export and this program cannot make one (no torch)."""


def prepared_onnx_model(model_path: Path | None, cache_dir: Path) -> OnnxModel:
    """The ONNX export of `model_path` (None: the bundled model), exported now if missing.

    Raises ModelNotPreparedError when an export is needed and torch is not installed.
    """
    shipped = shipped_export()
    if model_path is None and shipped is not None:
        return OnnxModel.read(shipped)
    folder = model_path or bundled_model_path()
    target = cache_dir / f"{model_fingerprint(folder)[:32]}-v{EXPORT_FORMAT}"
    if is_complete(target):
        return OnnxModel.read(target)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not is_complete(target):  # another process may have made it meanwhile
            _export_into(target, model_path)
    return OnnxModel.read(target)


def _export_into(target: Path, model_path: Path | None) -> None:
    try:
        from appliance.embedding.export import export_onnx
    except ImportError as exc:
        raise ModelNotPreparedError(
            "start.model_not_prepared", model=model_path or "bundled"
        ) from exc
    log.info("exporting the embedding model to ONNX into %s (once)", target)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        export_onnx(model_path, staging)
        if target.exists():  # an incomplete leftover of an interrupted export
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _remove_older_formats(target)


def _remove_older_formats(target: Path) -> None:
    """Exports of the same model in an earlier format: 90 MB each that nothing reads again."""
    stem = target.name.rsplit("-v", 1)[0]
    for older in target.parent.glob(f"{stem}-v*"):
        if older != target and older.is_dir():
            shutil.rmtree(older, ignore_errors=True)
            Path(f"{older}.lock").unlink(missing_ok=True)
