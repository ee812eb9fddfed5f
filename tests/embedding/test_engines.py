"""Both embedding engines with the real bundled model (all-MiniLM-L6-v2), loaded once each.

Every behaviour is checked on ONNX Runtime (the default) and on sentence-transformers
(the reference), and the two must give the same vectors.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from appliance.config import Settings
from appliance.embedding import WindowedEmbedder, model_dimension, open_embedder, text_hash
from appliance.priority import BACKGROUND_NICENESS

ENGINES = ("onnx", "torch")

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


def engine(
    name: str, tmp_path: Path, *, threads: int = 1, background: bool = False
) -> WindowedEmbedder:
    """An engine as the appliance opens it (ONNX exports come from the shared cache)."""
    settings = Settings(data_dir=tmp_path, embedding_engine=name)  # type: ignore[arg-type]
    return open_embedder(settings, threads=threads, background=background)


@pytest.fixture(scope="module", params=ENGINES)
def embedder(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> WindowedEmbedder:
    """The bundled model on each engine; loading takes seconds, so the module shares one."""
    return engine(request.param, tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> WindowedEmbedder:
    return engine("torch", tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def onnx(tmp_path_factory: pytest.TempPathFactory) -> WindowedEmbedder:
    return engine("onnx", tmp_path_factory.mktemp("data"))


def words(text: str, count: int) -> list[str]:
    """`count` words taken from `text`, repeated as often as needed."""
    pool = text.split()
    return (pool * (count // len(pool) + 1))[:count]


def fresh_python(script: str) -> str:
    """What `script` prints in a fresh interpreter (this one has long imported torch)."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    return done.stdout


def test_model_dimension_is_read_from_the_folder_without_importing_torch() -> None:
    script = (
        "import sys\n"
        "from appliance.embedding import model_dimension\n"
        "print(model_dimension(None), 'torch' in sys.modules)\n"
    )
    assert fresh_python(script).split() == ["384", "False"]


def test_model_dimension_rejects_a_folder_that_is_no_model(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a sentence-transformers model folder"):
        model_dimension(tmp_path)


def test_embed_returns_one_unit_float32_row_per_text(embedder: WindowedEmbedder) -> None:
    vectors = embedder.embed([BATH, ROOF, "Elektroinstallation im Neubau"])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)


def test_dimension_agrees_with_the_folder_and_the_vectors(
    embedder: WindowedEmbedder,
) -> None:
    assert embedder.dimension == model_dimension(None) == embedder.embed([BATH]).shape[1]


def test_a_bathroom_text_is_closer_to_another_bathroom_than_to_a_roof(
    embedder: WindowedEmbedder,
) -> None:
    bath, other_bath, roof = embedder.embed([BATH, OTHER_BATH, ROOF])
    assert float(bath @ other_bath) > float(bath @ roof) + 0.2


def test_a_long_text_keeps_its_end_instead_of_truncating_it(
    embedder: WindowedEmbedder,
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


def test_embedding_no_texts_gives_no_rows(embedder: WindowedEmbedder) -> None:
    assert embedder.embed([]).shape == (0, 384)


@pytest.mark.parametrize("name", ENGINES)
def test_lanes_give_the_same_vectors_in_the_same_order(
    name: str, reference: WindowedEmbedder, tmp_path: Path
) -> None:
    """A worker splits a batch over lanes (threads); the vectors must not change or move."""
    long_text = " ".join(words(f"{ROOF} {MORE_ROOF}", 1500))  # several windows
    texts = [BATH, OTHER_BATH, ROOF, MORE_ROOF, long_text] * 4 + [f"Auftrag {i}" for i in range(7)]
    in_one = reference.embed(texts)
    laned = engine(name, tmp_path, threads=3, background=True)
    for _ in range(3):  # again and again: the lanes share one tokenizer
        np.testing.assert_allclose(laned.embed(texts), in_one, atol=1e-5)


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread priorities exist on Linux")
@pytest.mark.parametrize("name", ENGINES)
def test_a_workers_lanes_run_below_the_calling_threads_priority(name: str, tmp_path: Path) -> None:
    import os
    import threading

    seen: dict[str, int] = {}
    laned = engine(name, tmp_path, threads=2, background=True)
    laned.embed([BATH, ROOF] * 8)
    assert laned._lanes is not None

    def record() -> None:
        seen["lane"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    laned._lanes.submit(record).result()
    assert seen["lane"] >= BACKGROUND_NICENESS
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < BACKGROUND_NICENESS


# German office language of every trade, short and long: the ONNX engine must give the
# reference's vectors for all of it, windows of long texts included.
GERMAN_TEXTS = [
    "Gäste-WC erneuern",
    "Brenner tauschen",
    "Dachrinnenreparatur",
    "Heizungswartung Gas-Brennwerttherme, Abgasmessung, Ausdehnungsgefäß prüfen",
    "Zählerschrank erneuern, Unterverteilung im Keller, Überspannungsschutz Typ 1+2",
    "Einbauschrank nach Maß aus Eiche furniert, Schiebetüren mit Softclose",
    "Straßenseitige Fassade: Gerüst stellen, Putz ausbessern, zweimal streichen (Silikatfarbe)",
    BATH,
    OTHER_BATH,
    ROOF,
    MORE_ROOF,
    " ".join(words(f"{BATH} {ROOF} {MORE_ROOF}", 900)),
    "Angebot Nr. 2026-0815 über 14.200,00 € zzgl. MwSt.; Zahlungsziel 14 Tage",
    "ÄÖÜ äöü ß – „Anführungszeichen“ und Gedankenstriche",
]


def test_the_onnx_engine_gives_the_references_vectors_on_german_texts(
    onnx: WindowedEmbedder, reference: WindowedEmbedder
) -> None:
    exported = onnx.embed(GERMAN_TEXTS)
    expected = reference.embed(GERMAN_TEXTS)
    cosines = np.sum(exported * expected, axis=1)
    assert float(cosines.min()) >= 0.9999, dict(zip(GERMAN_TEXTS, cosines.round(6), strict=True))
    # The same model for stored vectors: switching engines does not mark them stale.
    assert onnx.model_name == reference.model_name


def test_the_onnx_engine_answers_several_threads_at_once(onnx: WindowedEmbedder) -> None:
    """The web server embeds searches on its request threads, side by side."""
    from concurrent.futures import ThreadPoolExecutor

    assert onnx.thread_safe
    expected = onnx.embed(GERMAN_TEXTS)
    with ThreadPoolExecutor(4) as pool:
        rounds = list(pool.map(lambda _: onnx.embed(GERMAN_TEXTS), range(8)))
    for vectors in rounds:
        np.testing.assert_allclose(vectors, expected, atol=1e-6)


def test_embedding_with_onnx_never_imports_torch() -> None:
    """What lets the shipped program leave torch out: a fresh process embeds without it."""
    script = (
        "import sys\n"
        "from appliance.config import Settings\n"
        "from appliance.embedding import open_embedder\n"
        "embedder = open_embedder(Settings(), threads=2, background=True)\n"
        "vectors = embedder.embed(['Gäste-WC erneuern', 'Brenner tauschen'] * 5)\n"
        "heavy = sorted(m for m in ('torch', 'sentence_transformers', 'transformers')\n"
        "               if m in sys.modules)\n"
        "print(vectors.shape, heavy)\n"
    )
    assert fresh_python(script).strip() == "(10, 384) []"
