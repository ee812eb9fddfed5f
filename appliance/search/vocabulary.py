"""The trade vocabulary: which words mean the same thing, and which are parts of compounds.

It is read from one text file shipped with the program (`vocabulary.txt` beside this
module) and, when present, a business's own file of the same format in its data folder.
The format is meant to be edited by hand: sections in brackets, one group per line, words
separated by commas, `#` starts a comment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "vocabulary.txt"
OWN_FILE_NAME = "wortschatz.txt"
SAME_MEANING = "gleichbedeutend"
WORD_PARTS = "wortteile"
STOPWORDS = "stoppwörter"
SECTIONS = (SAME_MEANING, WORD_PARTS, STOPWORDS)


class VocabularyError(ValueError):
    """A vocabulary file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Vocabulary:
    """Groups of same-meaning entries (each entry one or more words), word parts, and
    stopwords."""

    groups: tuple[tuple[str, ...], ...]
    parts: tuple[str, ...]
    stopwords: tuple[str, ...] = ()

    def merged(self, other: Vocabulary) -> Vocabulary:
        """This vocabulary with `other`'s entries added."""
        return Vocabulary(
            self.groups + other.groups,
            self.parts + other.parts,
            self.stopwords + other.stopwords,
        )


def parse_vocabulary(text: str, source: str = "<text>") -> Vocabulary:
    """Read the file format described in the shipped `vocabulary.txt`.

    Raises VocabularyError for a line outside a section or an unknown section name.
    """
    groups: list[tuple[str, ...]] = []
    parts: list[str] = []
    stopwords: list[str] = []
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().casefold()
            if section not in SECTIONS:
                raise VocabularyError(
                    f"{source}, Zeile {number}: unbekannter Abschnitt [{section}]; "
                    f"erlaubt: {', '.join(f'[{s}]' for s in SECTIONS)}"
                )
            continue
        entries = tuple(e.strip() for e in line.split(",") if e.strip())
        if section is None:
            raise VocabularyError(
                f"{source}, Zeile {number}: Wörter stehen vor dem ersten Abschnitt "
                f"({', '.join(f'[{s}]' for s in SECTIONS)})"
            )
        if section == SAME_MEANING:
            if len(entries) > 1:
                groups.append(entries)
            parts.extend(entries)
        elif section == WORD_PARTS:
            parts.extend(entries)
        else:
            stopwords.extend(entries)
    return Vocabulary(tuple(groups), tuple(parts), tuple(stopwords))


def load_vocabulary(extra_files: Iterable[Path] = ()) -> Vocabulary:
    """The shipped vocabulary with each existing file of `extra_files` added."""
    vocabulary = parse_vocabulary(SHIPPED.read_text("utf-8"), SHIPPED.name)
    for path in extra_files:
        if path.is_file():
            own = parse_vocabulary(path.read_text("utf-8-sig"), str(path))
            vocabulary = vocabulary.merged(own)
    return vocabulary
