"""Search by words: German analysis of texts into terms, and terms as sparse vectors.

The analysis is the same in every process (the vocabulary is read from files at start),
so the terms a worker stores and the terms the server looks up agree.
"""

from __future__ import annotations

import logging
from pathlib import Path

from appliance.search.analyzer import Analyzer
from appliance.search.sparse import query_vector, stored_vector
from appliance.search.vocabulary import (
    OWN_FILE_NAME,
    Vocabulary,
    VocabularyError,
    load_vocabulary,
)

__all__ = [
    "OWN_FILE_NAME",
    "Analyzer",
    "Vocabulary",
    "VocabularyError",
    "load_vocabulary",
    "open_analyzer",
    "query_vector",
    "stored_vector",
]

log = logging.getLogger("appliance.search")


def open_analyzer(data_dir: Path) -> Analyzer:
    """The analyzer with the shipped vocabulary and the business's own file in `data_dir`.

    An own file that cannot be read is left out with a warning in the log: a typo in it
    must not keep the office from starting its program.
    """
    own = data_dir / OWN_FILE_NAME
    try:
        return Analyzer(load_vocabulary([own]))
    except (VocabularyError, OSError, UnicodeDecodeError) as exc:
        log.warning("Der eigene Wortschatz wird nicht verwendet: %s", exc)
        return Analyzer(load_vocabulary())
