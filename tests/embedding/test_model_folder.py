"""A model folder says its vector size, in the format of either sentence-transformers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from appliance.config import Settings
from appliance.embedding import bundled_model_path, model_dimension, open_embedder
from tests.fixtures.tiny_model import DIMENSION, make_tiny_model


def test_the_bundled_folder_and_one_written_by_sentence_transformers_5(tmp_path: Path) -> None:
    # The bundled folder's pooling says `word_embedding_dimension`; a folder saved by
    # sentence-transformers 5 says `embedding_dimension`.
    assert model_dimension(bundled_model_path()) == 384
    tiny = make_tiny_model(tmp_path / "tiny")
    assert model_dimension(tiny) == DIMENSION

    settings = {"data_dir": tmp_path / "data", "embedding_model": tiny}
    onnx = open_embedder(
        Settings(**settings, model_cache_dir=tmp_path / "cache"), threads=1, background=False
    )
    torch = open_embedder(
        Settings(**settings, embedding_engine="torch"), threads=1, background=False
    )
    texts = ["Gäste-WC erneuern", "Brenner tauschen"]
    exported, reference = onnx.embed(texts), torch.embed(texts)
    assert exported.shape == (2, DIMENSION)
    assert float(np.sum(exported * reference, axis=1).min()) >= 0.9999
