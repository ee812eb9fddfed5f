"""The reference engine: sentence-transformers on torch (`APPLIANCE_EMBEDDING_ENGINE=torch`).

It is what the ONNX engine is checked against, and what exports a model to ONNX. It
costs 570 MB and seconds of start per process (torch alone is 260 MB).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.embedding.base import WindowedEmbedder
from appliance.embedding.model_folder import bundled_model_path

if TYPE_CHECKING:
    import numpy as np

BUNDLED_MODEL_NAME = "all-MiniLM-L6-v2"


def model_name_of(model_path: Path | None) -> str:
    """The name stored with each vector: the bundled model's, or the folder's path."""
    return str(model_path) if model_path else BUNDLED_MODEL_NAME


def model_path_of(model_name: str) -> Path | None:
    """The folder a stored model name stands for (None: the bundled model)."""
    return None if model_name == BUNDLED_MODEL_NAME else Path(model_name)


def load_sentence_transformer(model_path: Path | None) -> Any:
    """The model folder as a SentenceTransformer on the CPU, nothing fetched online."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # OpenMP threads that wait by spinning need every core to themselves: on a two-core
    # office PC where the server or an OCR process also runs, two spinning threads encoded
    # at half the speed of one (26 vs 50 texts/s, measured here). Read when torch loads
    # OpenMP, so set before the import.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)  # one per lane; see base.py
    return SentenceTransformer(str(model_path or bundled_model_path()), device="cpu")


class SentenceTransformerEmbedder(WindowedEmbedder):
    """A sentence-transformers model from a local folder, loaded on first use."""

    def __init__(
        self, model_path: Path | None = None, *, threads: int = 1, background: bool = False
    ) -> None:
        super().__init__(model_name_of(model_path), threads=threads, background=background)
        self.model_path = model_path
        self._model: Any = None

    def _load_model(self) -> None:
        self._model = load_sentence_transformer(self.model_path)

    @property
    def model(self) -> Any:
        self._ensure_loaded()
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_pieces(self) -> int:
        return int(self.model.max_seq_length) - 2  # room for [CLS] and [SEP]

    def _piece_offsets(self, text: str) -> list[tuple[int, int]]:
        encoding = self.model.tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, truncation=False
        )
        return [tuple(pair) for pair in encoding["offset_mapping"]]

    def _encode_on_lanes(self, windows: list[str]) -> np.ndarray:
        # The lanes share one Rust tokenizer, which raises "Already borrowed" when two
        # threads change its truncation settings at once (`_piece_offsets` turns it off).
        # Tokenizing once here sets what every lane asks for.
        self._model.preprocess(windows[:1])
        return super()._encode_on_lanes(windows)

    def _encode(self, windows: list[str]) -> np.ndarray:
        vectors: np.ndarray = self._model.encode(
            windows, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        return vectors
