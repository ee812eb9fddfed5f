"""A fuzz smoke run of every extractor: real files, mutated byte by byte, read through the
real parser sandbox (`appliance extractor` in its child process).

Whatever the bytes, reading a file must end in exactly one of three ways: pages of text,
an ExtractionFailedError with one of the documented codes, or a SandboxError (timeout,
too much memory, crashed parser) after which the sandbox reads the next file as before.
No other exception, and no hang past the timeout. Detection, which runs in the worker
itself, must name a type or raise an ExtractionError, nothing else.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import hypothesis
import pytest
from hypothesis import strategies as st

from appliance import extract as extract_package
from appliance.extract import (
    ExtractionError,
    ExtractLimits,
    FileType,
    PageText,
    detect_file,
)
from appliance.reader.sandbox import ExtractionFailedError, ExtractionSandbox, SandboxError
from tests.fixtures import documents as make

pytestmark = pytest.mark.timeout(300)

COMMAND = [sys.executable, "-m", "appliance", "extractor"]
TIMEOUT = 15.0
# Over the timeout: starting a fresh child after a replacement (its clock starts once the
# parsers are imported, ours before) and killing the old one.
SLACK = 10.0
MEMORY_MB = 1024
# The appliance's limits, with images capped lower: a mutated header that announces a
# huge picture is then refused (or read) in a second rather than OCR'd to the timeout.
# One page's OCR stops before the sandbox would (ExtractionError "ocr_timeout").
LIMITS = ExtractLimits(max_image_pixels=20_000_000, max_render_pixels=2000, ocr_timeout=10)
EXAMPLES = 25

# Every code the extraction package raises: detect.py ("empty", "legacy_word",
# "unsupported", "corrupt"), errors.py ("corrupt"), pdf.py ("encrypted"), office.py
# ("zip_bomb"), images.py ("too_many_pixels"), ocr.py ("ocr_unavailable", "ocr_timeout",
# "ocr_failed"). test_the_codes_are_all_documented keeps the list honest.
EXTRACTION_CODES = frozenset(
    {
        "corrupt",
        "empty",
        "encrypted",
        "legacy_word",
        "ocr_failed",
        "ocr_timeout",
        "ocr_unavailable",
        "too_many_pixels",
        "unsupported",
        "zip_bomb",
    }
)
DETECTION_CODES = frozenset({"empty", "legacy_word", "unsupported", "corrupt"})
SANDBOX_CODES = frozenset({"timeout", "too_much_memory", "parser_crashed"})

# The real files the mutations start from. Pictures of text are small (short texts), so
# that a readable one costs a fraction of a second of OCR.
SEEDS: dict[str, tuple[FileType, Callable[[Path], Path]]] = {
    "text-pdf": (FileType.PDF, lambda path: make.text_pdf(path, [make.INVOICE, make.QUOTE])),
    "scanned-pdf": (FileType.PDF, lambda path: make.scanned_pdf(path, "Rechnung 2024")),
    "docx": (
        FileType.DOCX,
        lambda path: make.docx_file(
            path,
            [make.INVOICE],
            table=[["Position", "Preis"], ["Fliesen", "1.250 €"]],
            header="Müller GmbH",
            footer="Seite 1",
        ),
    ),
    "png": (FileType.PNG, lambda path: make.text_image(path, "Rechnung 2024", "PNG")),
    "jpeg": (FileType.JPEG, lambda path: make.text_image(path, "Angebot Dach", "JPEG")),
    "tiff": (FileType.TIFF, lambda path: make.tiff_pages(path, ["Seite eins", "Seite zwei"])),
    "txt": (FileType.TXT, lambda path: make.cp1252_txt(path, make.INVOICE)),
}
CANARY_TEXT = "Kontrolle nach dem Neustart"


# --- mutations -------------------------------------------------------------------------
# Positions are drawn independently of the file and taken modulo its length, so the same
# strategy serves every format and a failing example prints as a short list of edits.
# Negative ones count from the end. Headers (PNG, TIFF, JPEG) sit at the start and the
# cross-reference table or ZIP directory at the end, so both get more than their share.


@dataclass(frozen=True)
class Flip:
    """XOR the byte at `at` with `mask`."""

    at: int
    mask: int

    def apply(self, data: bytearray) -> bytearray:
        if data:
            data[self.at % len(data)] ^= self.mask
        return data


@dataclass(frozen=True)
class Truncate:
    """Cut the file at `at`."""

    at: int

    def apply(self, data: bytearray) -> bytearray:
        return data[: self.at % (len(data) + 1)]


@dataclass(frozen=True)
class Insert:
    """Insert `chunk` at `at`."""

    at: int
    chunk: bytes

    def apply(self, data: bytearray) -> bytearray:
        at = self.at % (len(data) + 1)
        return data[:at] + self.chunk + data[at:]


@dataclass(frozen=True)
class Duplicate:
    """Copy `length` bytes from `start` and insert them at `at`."""

    start: int
    length: int
    at: int

    def apply(self, data: bytearray) -> bytearray:
        if not data:
            return data
        start = self.start % len(data)
        piece = data[start : start + self.length]
        at = self.at % (len(data) + 1)
        return data[:at] + piece + data[at:]


@dataclass(frozen=True)
class Zero:
    """Overwrite `length` bytes from `start` with zeros."""

    start: int
    length: int

    def apply(self, data: bytearray) -> bytearray:
        if data:
            start = self.start % len(data)
            end = min(len(data), start + self.length)
            data[start:end] = bytes(end - start)
        return data


Mutation = Flip | Truncate | Insert | Duplicate | Zero
POSITIONS = st.one_of(st.integers(0, 1 << 20), st.integers(0, 255), st.integers(-256, -1))
LENGTHS = st.integers(1, 4096)
MUTATIONS = st.lists(
    st.one_of(
        st.builds(Flip, POSITIONS, st.integers(1, 255)),
        st.builds(Truncate, POSITIONS),
        st.builds(Insert, POSITIONS, st.binary(min_size=1, max_size=512)),
        st.builds(Duplicate, POSITIONS, LENGTHS, POSITIONS),
        st.builds(Zero, POSITIONS, LENGTHS),
    ),
    min_size=1,
    max_size=6,
)


def mutate(original: bytes, mutations: list[Mutation]) -> bytes:
    data = bytearray(original)
    for mutation in mutations:
        data = mutation.apply(data)
    return bytes(data)


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ExtractionSandbox]:
    """One sandbox for the whole module, as a worker keeps one: it must survive the run."""
    box = ExtractionSandbox(COMMAND, timeout=TIMEOUT, memory_mb=MEMORY_MB)
    yield box
    box.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def seeds(folder: Path) -> dict[str, bytes]:
    return {name: write(folder / f"seed-{name}").read_bytes() for name, (_, write) in SEEDS.items()}


@pytest.fixture(scope="module")
def canary(folder: Path) -> Path:
    return make.cp1252_txt(folder / "canary.txt", CANARY_TEXT)


# --- checks ----------------------------------------------------------------------------


def read(box: ExtractionSandbox, path: Path, file_type: FileType) -> str:
    """Extract `path` in the sandbox; return "pages" or the error code, having checked
    that it is one of the allowed outcomes within the time allowed."""
    pages: list[PageText] = []
    started = time.monotonic()
    try:
        count = box.extract(path, file_type, LIMITS, lambda _: None, pages.append)
    except ExtractionFailedError as failed:
        assert failed.code in EXTRACTION_CODES, f"undocumented code {failed.code!r}: {failed}"
        outcome = failed.code
    except SandboxError as stopped:
        assert stopped.code in SANDBOX_CODES, f"unknown sandbox code {stopped.code!r}"
        outcome = stopped.code
    else:
        assert count >= 0 and count == len(pages), (count, len(pages))
        assert [page.number for page in pages] == list(range(1, count + 1))
        outcome = "pages"
    elapsed = time.monotonic() - started
    assert elapsed <= TIMEOUT + SLACK, f"{outcome} after {elapsed:.1f} s"
    return outcome


def detect(path: Path) -> str:
    """detect_file in-process: a type, or an ExtractionError with a detection code."""
    try:
        found = detect_file(path)
    except ExtractionError as error:
        assert error.code in DETECTION_CODES, f"undocumented code {error.code!r}: {error}"
        return error.code
    assert isinstance(found, FileType), found
    return found.value


def read_canary(box: ExtractionSandbox, canary: Path) -> None:
    pages: list[PageText] = []
    count = box.extract(canary, FileType.TXT, LIMITS, lambda _: None, pages.append)
    assert count == 1 and CANARY_TEXT in pages[0].text


# --- tests -----------------------------------------------------------------------------


def test_the_shared_sandbox_reads_on_after_a_stopped_child(
    sandbox: ExtractionSandbox, seeds: dict[str, bytes], folder: Path, canary: Path
) -> None:
    # Mutated files rarely stop the child, so one stop is forced here, on the sandbox the
    # fuzzing below then goes on using: OCR of two scanned pages takes longer than 0.1 s.
    path = folder / "slow-scan.tiff"
    path.write_bytes(seeds["tiff"])
    sandbox.timeout = 0.1
    try:
        with pytest.raises(SandboxError) as stopped:
            sandbox.extract(path, FileType.TIFF, LIMITS, lambda _: None, lambda _: None)
    finally:
        sandbox.timeout = TIMEOUT
    assert stopped.value.code == "timeout"
    read_canary(sandbox, canary)


@pytest.mark.parametrize("name", list(SEEDS))
@hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    # Each example is a real extraction (a child process, OCR): seconds, not microseconds.
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
)
@hypothesis.given(mutations=MUTATIONS)
def test_a_mutated_file_is_read_or_refused_cleanly(
    sandbox: ExtractionSandbox,
    seeds: dict[str, bytes],
    folder: Path,
    canary: Path,
    name: str,
    mutations: list[Mutation],
) -> None:
    file_type, _ = SEEDS[name]
    path = folder / f"mutated-{name}"
    path.write_bytes(mutate(seeds[name], mutations))
    hypothesis.event(f"detected: {detect(path)}")
    # The extractor of the seed's format, even when the mutation made it look like another
    # type: an extractor must cope with any bytes it is handed.
    outcome = read(sandbox, path, file_type)
    hypothesis.event(f"outcome: {outcome}")
    if outcome in SANDBOX_CODES:
        # The child was killed or died; the sandbox must start a fresh one for the next file.
        read_canary(sandbox, canary)


def test_the_seeds_themselves_are_read(
    sandbox: ExtractionSandbox, seeds: dict[str, bytes], folder: Path
) -> None:
    # Without this, a broken seed (or a broken OCR) would leave the fuzzing above testing
    # only error paths.
    for name, (file_type, _) in SEEDS.items():
        path = folder / f"seed-{name}"
        assert detect_file(path) is file_type
        assert read(sandbox, path, file_type) == "pages", name


def test_the_codes_are_all_documented() -> None:
    """Every code raised in the extraction package is one this module accepts."""
    package = Path(extract_package.__file__).parent
    raised = set()
    for module in package.glob("*.py"):
        raised |= set(re.findall(r'ExtractionError\(\s*"(\w+)"', module.read_text("utf-8")))
    assert raised == EXTRACTION_CODES
