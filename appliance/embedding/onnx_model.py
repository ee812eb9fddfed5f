"""An ONNX export of a model: a folder with `model.onnx`, `tokenizer.json`, `meta.json`.

export.py makes one, prepare.py finds or makes the one a model folder needs.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Raise when the export changes (another opset, other inputs): old exports are remade.
EXPORT_FORMAT = 2
META_FILE = "meta.json"
SHIPPED_FOLDER = "onnx-model"  # in a frozen program's bundle


@dataclass(frozen=True)
class OnnxModel:
    """An exported model: its folder and what `meta.json` says about it."""

    folder: Path
    dimension: int
    max_seq_length: int
    inputs: tuple[str, ...]
    do_lower_case: bool
    pad_token: str
    pad_id: int

    @property
    def model_file(self) -> Path:
        return self.folder / "model.onnx"

    @property
    def tokenizer_file(self) -> Path:
        return self.folder / "tokenizer.json"

    @classmethod
    def read(cls, folder: Path) -> OnnxModel:
        return cls.described(folder, json.loads((folder / META_FILE).read_text("utf-8")))

    @classmethod
    def described(cls, folder: Path, meta: dict[str, Any]) -> OnnxModel:
        """The export in `folder` as `meta` (the contents of its meta file) describes it."""
        return cls(
            folder=folder,
            dimension=int(meta["dimension"]),
            max_seq_length=int(meta["max_seq_length"]),
            inputs=tuple(meta["inputs"]),
            do_lower_case=bool(meta["do_lower_case"]),
            pad_token=str(meta["pad_token"]),
            pad_id=int(meta["pad_id"]),
        )


def default_cache_dir() -> Path:
    """Where exports are kept when no setting says otherwise: the user's cache folder."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("handwerkml", appauthor=False)) / "onnx-models"


def is_complete(folder: Path) -> bool:
    """An export is complete once its meta file exists: export.py writes it last."""
    try:
        meta: dict[str, Any] = json.loads((folder / META_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("format") == EXPORT_FORMAT and (folder / "model.onnx").is_file()


def shipped_export() -> Path | None:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is None:
        return None
    folder = Path(bundle) / SHIPPED_FOLDER
    return folder if is_complete(folder) else None
