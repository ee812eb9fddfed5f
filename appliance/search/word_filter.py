"""The project list's text filter: each word typed must occur, in any of its forms.

A filter is not a ranking: it keeps a project or leaves it out. But it must keep what a
person means. Each word typed ("Badsanierung Dortmund") must be found in one of the
project's text fields, as
- the word itself, anywhere ("Sanit" finds "Sanitär", "sanierung" "Badsanierung");
- or its stem at the start of a word, so an ending does not matter ("Sanierung" finds
  "saniert"); at the start only, or "Berger" would find "Obergeschoss" through "berg";
- or all the known parts of a compound ("Badsanierung" finds "Sanierung des Bades");
and every piece in each of its umlaut and ß spellings ("Waermepumpe" finds "Wärmepumpe").
The database checks the pieces as substrings of the case-folded fields (LIKE).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from appliance.search.analyzer import Analyzer, fold, stem

_UMLAUTS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))
MIN_PIECE = 2
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Piece:
    """A piece of text that must occur: in any of its spellings, anywhere or only where a
    word starts."""

    spellings: frozenset[str]
    at_word_start: bool = False


@dataclass(frozen=True)
class WordFilter:
    """For one word typed: alternatives, each a list of pieces that must all occur."""

    alternatives: tuple[tuple[Piece, ...], ...]


def word_filters(analyzer: Analyzer, text: str) -> list[WordFilter]:
    """One filter per distinct word of `text` (stopwords left out; numbers as typed)."""
    filters = [_as_typed(number) for number in _NUMBER.findall(text)]
    for word in dict.fromkeys(analyzer.words(text)):
        alternatives: list[tuple[Piece, ...]] = [(Piece(_spelled(fold(word))),)]
        stem_prefix = _stem_prefix(word)
        if stem_prefix != fold(word):
            alternatives.append((Piece(_spelled(stem_prefix), at_word_start=True),))
        parts = analyzer.compound_parts(word)
        if len(parts) >= 2:
            alternatives.append(tuple(Piece(_spelled(_stem_prefix(part))) for part in parts))
        filters.append(WordFilter(tuple(alternatives)))
    if not filters and text.strip():
        # No word at all ("%", "-"): what was typed, as it is.
        filters.append(_as_typed(text.strip().casefold()))
    return filters


def _as_typed(text: str) -> WordFilter:
    return WordFilter(((Piece(frozenset([text])),),))


def _stem_prefix(word: str) -> str:
    """The word cut to its stem's length, in the word's own letters: Snowball folds
    umlauts ("wärmepump"), the database's text keeps them."""
    written = fold(word)
    stemmed = stem(written)
    cut = written[: len(stemmed)] if len(stemmed) <= len(written) else written
    return cut if len(cut) >= MIN_PIECE else written


def _spelled(piece: str) -> frozenset[str]:
    """`piece` in every spelling of its umlauts and ß, as the fields may hold it."""
    forms = {unicodedata.normalize("NFC", piece)}
    for spelled, umlaut in _UMLAUTS:
        forms |= {form.replace(umlaut, spelled) for form in forms}
        forms |= {form.replace(spelled, umlaut) for form in forms}
    return frozenset(forms)
