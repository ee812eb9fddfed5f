"""What every embedding engine promises, and the part they share: windows and lanes.

Long texts: a model reads a limited number of word pieces (256 for all-MiniLM-L6-v2). A
longer text is cut into windows of that size (overlapping by 32 pieces, cut at the
tokenizer's character offsets so each window is real text), each window is encoded, and
the text's vector is the mean of the window vectors, normalised again. A mean keeps every
part of a long description in the vector, where truncation would silently drop its end.

Lanes: `threads` lanes encode parts of a batch side by side, each with one compute thread,
instead of one encode with `threads` library threads: 2 lanes encoded 83-90 texts/s
against 75-81 for 2 OpenMP threads (torch, 2 cores, measured), and a lane that loses its
core to the web server only slows itself, where pooled threads wait for each other at
every layer. In a worker the lanes run below the web server's priority (priority.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

from appliance.priority import lower_this_thread

if TYPE_CHECKING:
    # Imported where vectors are made: a worker that only reads documents never needs it.
    import numpy as np

WINDOW_OVERLAP = 32
# Below this many windows per lane, splitting a batch costs more than it gains.
MIN_WINDOWS_PER_LANE = 4
TRIM_INTERVAL = 5.0  # seconds between returns of freed memory to the OS


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    @property
    def model_name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def thread_safe(self) -> bool:
        """Whether two threads may call `embed` at once."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised float32 row per text."""

    def warm_up(self) -> None:
        """Load the model now rather than on first use."""


def text_hash(text: str) -> str:
    """Fingerprint of an embedded text: a stored vector is stale when it changes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class WindowedEmbedder(ABC):
    """An engine's model, loaded on first use, behind long-text windows and lanes.

    An engine says how to load its model, where the word pieces of a text sit, and how to
    encode a list of windows; this class does the rest, the same way for every engine.
    """

    thread_safe = False

    def __init__(self, model_name: str, *, threads: int = 1, background: bool = False) -> None:
        self._model_name = model_name
        self.threads = threads
        # In a worker, encoding runs on lane threads below the web server's priority;
        # elsewhere (a search in the server) the calling thread takes part.
        self.background = background
        self._loaded = False
        self._lock = threading.Lock()
        self._lanes: ThreadPoolExecutor | None = None  # made with the model
        self._trimmed_at = float("-inf")

    @property
    def model_name(self) -> str:
        """Identifies the model in stored vectors, so a model change marks them stale.

        The same for every engine: they give the same vectors for the same model.
        """
        return self._model_name

    # -- what an engine provides --------------------------------------------------------
    @abstractmethod
    def _load_model(self) -> None:
        """Load the model (called once, under a lock)."""

    @property
    @abstractmethod
    def max_pieces(self) -> int:
        """Word pieces one window may hold, the model's special tokens left out."""

    @abstractmethod
    def _piece_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character (start, end) of each word piece of `text`, without truncation."""

    @abstractmethod
    def _encode(self, windows: list[str]) -> np.ndarray:
        """Unit vectors of `windows`, in order (one lane's share of a batch)."""

    @property
    @abstractmethod
    def dimension(self) -> int: ...

    # -- shared ------------------------------------------------------------------------------
    def warm_up(self) -> None:
        self._ensure_loaded()

    def _ensure_loaded(self) -> None:
        with self._lock:
            if self._loaded:
                return
            self._load_model()
            pool_size = self.threads if self.background else self.threads - 1
            if pool_size > 0:
                self._lanes = ThreadPoolExecutor(
                    pool_size,
                    "encode-lane",
                    initializer=lower_this_thread if self.background else None,
                )
            self._loaded = True

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        self._ensure_loaded()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        windows: list[str] = []
        owners: list[int] = []
        for index, text in enumerate(texts):
            for window in self._windows(text):
                windows.append(window)
                owners.append(index)
        encoded = self._encode_on_lanes(windows)
        result = np.zeros((len(texts), encoded.shape[1]), dtype=np.float32)
        np.add.at(result, owners, encoded)
        norms = np.linalg.norm(result, axis=1, keepdims=True)
        self._give_back_memory_now_and_then()
        vectors: np.ndarray = result / np.maximum(norms, 1e-12)
        return vectors

    def _give_back_memory_now_and_then(self) -> None:
        # Trimming after every batch of 32 cost 5-10 % of the encode speed (measured);
        # what a batch frees goes back within seconds all the same.
        now = time.monotonic()
        if now - self._trimmed_at >= TRIM_INTERVAL:
            self._trimmed_at = now
            give_back_freed_memory()

    def _encode_on_lanes(self, windows: list[str]) -> np.ndarray:
        """Unit vectors of `windows`, in order, spread over the lanes when worth it."""
        import numpy as np

        lanes = self._lanes
        count = max(1, min(self.threads, len(windows) // MIN_WINDOWS_PER_LANE))
        if lanes is None or (count == 1 and not self.background):
            return self._encode(windows)
        # Every count-th window per lane: long and short windows spread evenly.
        parts = [windows[lane::count] for lane in range(count)]
        on_caller = [] if self.background else parts[:1]
        others = [lanes.submit(self._encode, part) for part in parts[len(on_caller) :]]
        results = [*(self._encode(part) for part in on_caller), *(job.result() for job in others)]
        encoded = np.empty((len(windows), results[0].shape[1]), dtype=np.float32)
        for lane, vectors in enumerate(results):
            encoded[lane::count] = vectors
        return encoded

    def _windows(self, text: str) -> list[str]:
        """The text itself if it fits the model, else overlapping windows of it."""
        limit = self.max_pieces
        if len(text.encode("utf-8")) + len(text.split()) <= limit:
            # A word piece covers at least one byte of the text, and SentencePiece adds at
            # most one empty word-start piece per word: this text fits. Most project
            # descriptions do, and tokenizing them twice cost 5 % of the encode speed.
            return [text]
        offsets = self._piece_offsets(text)
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


def give_back_freed_memory() -> None:
    """Return the memory a batch's activations freed to the OS (glibc keeps it otherwise).

    The torch embedding worker's RSS rose from 555 to 703 MiB under load and stayed there:
    freed blocks stay in glibc's arenas. Other C libraries give memory back by themselves.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    """glibc's malloc_trim, looked up once; None off Linux or on another C library."""
    if sys.platform != "linux":
        return None
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL("libc.so.6").malloc_trim
    return None
