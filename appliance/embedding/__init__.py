"""Sentence embeddings, offline, loaded lazily once per process.

Two engines give the same vectors for the same model folder: ONNX Runtime (the default,
`onnx_engine.py`) and sentence-transformers on torch (the reference, `torch_engine.py`).
Nothing is fetched from a model hub.
"""

from __future__ import annotations

from appliance.config import Settings
from appliance.embedding.base import Embedder, WindowedEmbedder, text_hash
from appliance.embedding.model_folder import bundled_model_path, model_dimension
from appliance.embedding.onnx_engine import OnnxEmbedder
from appliance.embedding.onnx_model import default_cache_dir
from appliance.embedding.prepare import ModelNotPreparedError, prepared_onnx_model
from appliance.embedding.torch_engine import (
    SentenceTransformerEmbedder,
    model_name_of,
    model_path_of,
)
from appliance.errors import require_part

__all__ = [
    "Embedder",
    "ModelNotPreparedError",
    "OnnxEmbedder",
    "SentenceTransformerEmbedder",
    "bundled_model_path",
    "default_cache_dir",
    "model_dimension",
    "model_name_of",
    "model_path_of",
    "open_embedder",
    "prepared_onnx_model",
    "text_hash",
]


def open_embedder(settings: Settings, *, threads: int, background: bool) -> WindowedEmbedder:
    """The engine the settings choose, for the model they name; loaded on first use.

    `threads` lanes encode a batch unless the settings name a number; a `background`
    embedder (a worker's) encodes below the web server's priority.
    """
    lanes = settings.embedding_threads or threads
    if settings.embedding_engine == "torch":
        require_part("torch", "APPLIANCE_EMBEDDING_ENGINE=torch", extra="export")
        return SentenceTransformerEmbedder(
            settings.embedding_model, threads=lanes, background=background
        )
    cache = settings.model_cache_dir or default_cache_dir()
    return OnnxEmbedder(
        lambda: prepared_onnx_model(settings.embedding_model, cache),
        model_name_of(settings.embedding_model),
        threads=lanes,
        background=background,
    )
