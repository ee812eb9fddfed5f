"""Vectors for search texts, computed in the process that answers the search.

A search text is a few words: ONNX Runtime embeds one in about a millisecond on one
thread. Asking the embedding worker instead (as 0.1.0 did, through a `tasks.embed_query`
task) cost a queue round trip (p50 48 ms) and, while that worker re-embedded 20,000
projects, a wait behind its batch. The web server keeps its own copy of the model (about
100 MB with ONNX Runtime) and loads it at start, so the first search does not wait.
Recent answers are cached, so paging through results or repeating a search costs nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict

from appliance.embedding import Embedder
from appliance.errors import AppError

log = logging.getLogger("appliance.search")

CACHE_SIZE = 256


class SearchUnavailableError(AppError):
    status = 503


class QueryEmbedder:
    """Embeds search texts with this process's model, with a small cache."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_lock = threading.Lock()
        # An engine whose tokenizer is changed per call (torch's) must not be used by two
        # requests at once; ONNX Runtime's may, and two searches then use both cores.
        self._one_at_a_time = contextlib.nullcontext() if embedder.thread_safe else threading.Lock()
        self.ready = threading.Event()  # set once the model is loaded

    def warm_up_in_background(self) -> None:
        """Load the model on a thread of its own, so a start does not wait for it."""
        threading.Thread(target=self._warm_up, name="query-model", daemon=True).start()

    def _warm_up(self) -> None:
        try:
            self.embedder.warm_up()
            self.ready.set()
        except Exception:
            # A search says why it cannot run; the start goes on.
            log.exception("loading the embedding model for searches failed")

    def embed_many(self, texts: list[str]) -> list[list[float]]:
        """Vectors for several texts at once, not cached (a project's, not a search's)."""
        with self._one_at_a_time:
            return [[float(x) for x in row] for row in self.embedder.embed(texts)]

    def embed(self, text: str) -> list[float]:
        key = " ".join(text.split()).casefold()
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            with self._one_at_a_time:
                vector = [float(x) for x in self.embedder.embed([text])[0]]
        except Exception as exc:
            log.exception("embedding a search text failed")
            raise SearchUnavailableError("search_unavailable", reason=str(exc)) from exc
        with self._cache_lock:
            self._cache[key] = vector
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector
