"""German text to search terms: the words an office types matched to the words a job uses.

A text becomes a bag of terms, each term a string:
- every word's Snowball stem ("Dachrinnen" -> "dachrinn"), after case folding; the German
  stemmer also folds umlauts and their ae/oe/ue spellings ("Wärme", "Waerme" -> "warm");
- the known parts of a compound, from the vocabulary's word list: "Dachrinnenreparatur"
  also gives "dachrinn" and "reparatur", "Badsanierung" gives "bad" and "sanier";
- one group term ("~12") for every word or part that belongs to a group of words meaning
  the same thing, so "Regenrinne" meets "Dachrinne" and "Offerte" meets "Angebot".

The same analysis runs on stored texts and on queries, so both sides agree.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from appliance.search.vocabulary import Vocabulary

# Raise when the analysis changes: stored terms of another version are made again.
ANALYSIS_VERSION = 1
WORD = re.compile(r"\w+", re.UNICODE)
# A compound's part must be this long to be looked for inside a word (shorter parts, like
# "wc" or "bad", count only where they begin or end the word).
MIN_INNER_PART = 4
MIN_PART = 2
MIN_COMPOUND = 6
LINK_LETTERS = 2


def fold(word: str) -> str:
    """Case-folded, ae/oe/ue written as umlauts, ß as ss: the form compound parts match in.

    Umlauts are kept (not folded to a/o/u) so "Tür" is not found at the end of "Reparatur".
    """
    folded = unicodedata.normalize("NFC", word).casefold()
    for spelled, umlaut in (("ae", "ä"), ("oe", "ö"), ("ue", "ü")):
        folded = folded.replace(spelled, umlaut)
    return folded


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The German Snowball stem of a case-folded word."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("german")


@dataclass(frozen=True)
class WordTerms:
    """The terms one word stands for."""

    own: frozenset[str]
    """The word's stem, and the group term of its meaning (if it has one)."""
    parts: tuple[frozenset[str], ...]
    """For each known part of a compound: the part's stem and group term."""
    every: frozenset[str] = frozenset()
    """All of them (made by `Analyzer.word_terms`)."""


class Analyzer:
    """Turns German text into search terms, with one vocabulary."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        """Index the vocabulary: its parts by folded form, its groups by stem sequence."""
        described = repr(
            (
                ANALYSIS_VERSION,
                vocabulary.groups,
                sorted(set(vocabulary.parts)),
                sorted(set(vocabulary.stopwords)),
            )
        )
        self.fingerprint = hashlib.sha256(described.encode("utf-8")).hexdigest()[:16]
        """Changes when the analysis or the vocabulary does: stored terms are then stale."""
        self._stopwords = frozenset(w.casefold() for w in vocabulary.stopwords)
        self._group_of: dict[tuple[str, ...], str] = {}
        for number, group in enumerate(vocabulary.groups):
            for entry in group:
                self._group_of.setdefault(self._stems(entry), f"~{number}")
        self._longest_entry = max((len(k) for k in self._group_of), default=1)
        parts = {fold(p) for entry in vocabulary.parts for p in self.words(entry)}
        self._parts = {part: stem(part) for part in parts if len(part) >= MIN_PART}
        # Words repeat a lot in long papers; each is analysed once.
        self._word_terms: dict[str, WordTerms] = {}

    def words(self, text: str) -> list[str]:
        """The text's words, case-folded (ß -> ss), without stopwords and numbers."""
        return [word.casefold() for word in self.surface_words(text)]

    def surface_words(self, text: str) -> list[str]:
        """The text's words as written, without stopwords, numbers and single letters."""
        found = []
        for match in WORD.finditer(text):
            word = match.group()
            folded = word.casefold()
            if len(folded) >= MIN_PART and folded not in self._stopwords and not folded.isdigit():
                found.append(word)
        return found

    def terms(self, text: str) -> Counter[str]:
        """How often each term occurs in `text` (stems, compound parts, group terms)."""
        counts: Counter[str] = Counter()
        text_words = self.words(text)
        for word in text_words:
            found = self.word_terms(word)
            counts.update(found.own)
            for part in found.parts:
                counts.update(part)
        counts.update(self._phrase_groups([stem(word) for word in text_words]))
        return counts

    def term_set(self, words: Sequence[str]) -> set[str]:
        """The terms of case-folded `words` (a text's, in order), each once: what `terms`
        counts, without the counting."""
        found: set[str] = set()
        for word in words:
            found |= self.word_terms(word).every
        found.update(self._phrase_groups([stem(word) for word in words]))
        return found

    def word_terms(self, word: str) -> WordTerms:
        """The terms of one case-folded word."""
        known = self._word_terms.get(word)
        if known is not None:
            return known
        own = self._with_group(stem(word))
        parts = tuple(self._with_group(p) for p in self._parts_in(word))
        found = WordTerms(own, parts, own.union(*parts))
        if len(self._word_terms) < 200_000:
            self._word_terms[word] = found
        return found

    def compound_parts(self, word: str) -> list[str]:
        """A compound's known head and tail as written (folded), when together they make up
        the word: "badsanierung" -> ["sanierung", "bad"]; [] for a word that is none.

        Head and tail may overlap or leave a gap of up to `LINK_LETTERS` letters: the
        linking "s", "n" or "en" of "Dachrinnenreparatur", or a part that ends the way
        the next begins.
        """
        folded = fold(word)
        parts = [part for part in self._parts if len(part) < len(folded)]
        heads = sorted((p for p in parts if folded.startswith(p)), key=len, reverse=True)
        tails = sorted((p for p in parts if folded.endswith(p)), key=len, reverse=True)
        for head in heads:
            for tail in tails:
                if abs(len(head) + len(tail) - len(folded)) <= LINK_LETTERS:
                    return [tail, head]
        return []

    def word_found(self, word: str, terms: set[str]) -> bool:
        """Whether `terms` (a text's) contain the case-folded `word`: itself, a word of the
        same meaning, or every part of it."""
        found = self.word_terms(word)
        if found.own & terms:
            return True
        return bool(found.parts) and all(part & terms for part in found.parts)

    def words_match(self, word: str, other: str) -> bool:
        """Whether two case-folded words mean the same, or one is a part of the other."""
        one, two = self.word_terms(word), self.word_terms(other)
        return bool(one.own & two.every or two.own & one.every)

    def _with_group(self, stem: str) -> frozenset[str]:
        group = self._group_of.get((stem,))
        return frozenset((stem, group)) if group else frozenset((stem,))

    def _stems(self, entry: str) -> tuple[str, ...]:
        return tuple(stem(word) for word in self.words(entry))

    def _phrase_groups(self, stems: Sequence[str]) -> Iterator[str]:
        # Entries of two or more words ("Gäste WC"), matched on consecutive stems.
        for start in range(len(stems)):
            for length in range(2, self._longest_entry + 1):
                group = self._group_of.get(tuple(stems[start : start + length]))
                if group is not None:
                    yield group

    def _parts_in(self, word: str) -> list[str]:
        """Stems of the known parts a compound begins or ends with, or holds when they are
        long enough (never the word itself)."""
        folded = fold(word)
        if len(folded) < MIN_COMPOUND:
            return []
        found = []
        for part, stem in self._parts.items():
            if len(part) >= len(folded):
                continue
            at_edge = folded.startswith(part) or folded.endswith(part)
            inside = len(part) >= MIN_INNER_PART and part in folded
            if (at_edge or inside) and stem not in found:
                found.append(stem)
        return found
