"""The sentence embedder with the real bundled model (all-MiniLM-L6-v2, loaded once here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from appliance.embedding import SentenceTransformerEmbedder, model_dimension, text_hash
from appliance.priority import BACKGROUND_NICENESS

BATH = (
    "Badsanierung: alte Fliesen abschlagen, bodengleiche Dusche mit Ablaufrinne einbauen, "
    "neues Wand-WC mit Vorwandinstallation und Waschtisch montieren."
)
OTHER_BATH = (
    "Badezimmer renovieren, Badewanne gegen eine ebenerdige Dusche tauschen, "
    "Wände und Boden neu fliesen."
)
ROOF = (
    "Dachsanierung: Dachziegel abdecken, Dachlatten erneuern, Aufsparrendämmung aufbringen "
    "und das Dach neu eindecken."
)
MORE_ROOF = (
    "Die Dachrinne aus Titanzink wird ersetzt und die Kehlen werden neu verblecht. "
    "Zwei Dachfenster werden eingebaut, der Schornstein erhält eine Verkleidung aus Schiefer."
)


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    """The bundled model; loading takes seconds, so the module shares one."""
    return SentenceTransformerEmbedder()


def words(text: str, count: int) -> list[str]:
    """`count` words taken from `text`, repeated as often as needed."""
    pool = text.split()
    return (pool * (count // len(pool) + 1))[:count]


def test_model_dimension_is_read_from_the_folder_without_importing_torch() -> None:
    # A fresh interpreter: this test process has long imported torch for the model.
    script = (
        "import sys\n"
        "from appliance.embedding import model_dimension\n"
        "print(model_dimension(None), 'torch' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    )
    assert done.stdout.split() == ["384", "False"]


def test_model_dimension_rejects_a_folder_that_is_no_model(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a sentence-transformers model folder"):
        model_dimension(tmp_path)


def test_embed_returns_one_unit_float32_row_per_text(embedder: SentenceTransformerEmbedder) -> None:
    vectors = embedder.embed([BATH, ROOF, "Elektroinstallation im Neubau"])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)


def test_dimension_agrees_with_the_folder_and_the_vectors(
    embedder: SentenceTransformerEmbedder,
) -> None:
    assert embedder.dimension == model_dimension(None) == embedder.embed([BATH]).shape[1]


def test_a_bathroom_text_is_closer_to_another_bathroom_than_to_a_roof(
    embedder: SentenceTransformerEmbedder,
) -> None:
    bath, other_bath, roof = embedder.embed([BATH, OTHER_BATH, ROOF])
    assert float(bath @ other_bath) > float(bath @ roof) + 0.2


def test_a_long_text_keeps_its_end_instead_of_truncating_it(
    embedder: SentenceTransformerEmbedder,
) -> None:
    # 2,000 words, far beyond the model's 256 word pieces: a bathroom start, a roof rest.
    start = words(f"{BATH} {OTHER_BATH}", 200)
    long_text = " ".join(start + words(f"{ROOF} {MORE_ROOF}", 1800))
    long_vector, start_vector, roof = embedder.embed([long_text, " ".join(start), ROOF])
    assert np.linalg.norm(long_vector) == pytest.approx(1.0, abs=1e-5)
    # Truncation would make the long text's vector that of its start.
    assert float(long_vector @ start_vector) < 0.9
    assert float(long_vector @ roof) > float(start_vector @ roof) + 0.2


def test_text_hash_is_stable_and_tells_texts_apart() -> None:
    assert text_hash(BATH) == text_hash(BATH)
    assert len(text_hash(BATH)) == 64
    assert text_hash(BATH) != text_hash(ROOF)
    assert text_hash(BATH) != text_hash(BATH + " ")


def test_embedding_no_texts_gives_no_rows(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.embed([]).shape == (0, 384)


def test_lanes_give_the_same_vectors_in_the_same_order(
    embedder: SentenceTransformerEmbedder,
) -> None:
    """A worker splits a batch over lanes (threads); the vectors must not change or move."""
    long_text = " ".join(words(f"{ROOF} {MORE_ROOF}", 1500))  # several windows
    texts = [BATH, OTHER_BATH, ROOF, MORE_ROOF, long_text] * 4 + [f"Auftrag {i}" for i in range(7)]
    in_one = embedder.embed(texts)
    laned = SentenceTransformerEmbedder(threads=3, background=True)
    for _ in range(3):  # again and again: the lanes share one tokenizer
        np.testing.assert_allclose(laned.embed(texts), in_one, atol=1e-5)


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread priorities exist on Linux")
def test_a_workers_lanes_run_below_the_calling_threads_priority() -> None:
    import os
    import threading

    seen: dict[str, int] = {}
    laned = SentenceTransformerEmbedder(threads=2, background=True)
    laned.embed([BATH, ROOF] * 8)
    assert laned._lanes is not None

    def record() -> None:
        seen["lane"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    laned._lanes.submit(record).result()
    assert seen["lane"] >= BACKGROUND_NICENESS
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < BACKGROUND_NICENESS
