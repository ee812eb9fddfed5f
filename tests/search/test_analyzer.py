"""German analysis: the words an office types meet the words a job or paper uses."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from appliance.search import OWN_FILE_NAME, Analyzer, load_vocabulary, open_analyzer
from appliance.search.vocabulary import VocabularyError, parse_vocabulary


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(load_vocabulary())


def shares_a_term(analyzer: Analyzer, query: str, text: str) -> bool:
    return bool(set(analyzer.terms(query)) & set(analyzer.terms(text)))


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Dachrinnen", "Dachrinne"),  # an ending
        ("Waermepumpe", "Wärmepumpe"),  # umlaut typed as ae
        ("Strasse", "Straße"),  # ß as ss
        ("Reparatur der Dachrinne", "Dachrinnenreparatur"),  # a compound split
        ("Badsanierung", "Sanierung des Bades"),  # and joined
        ("Regenrinne", "Dachrinne"),  # the same meaning (vocabulary)
        ("Heizkörper", "Radiatoren tauschen"),
        ("Offerte", "Angebot Nr. 4711"),
        ("Estrich", "Unterboden"),
        ("Gäste WC", "Gästetoilette"),  # an entry of two words
    ],
)
def test_what_is_typed_meets_what_is_written(analyzer: Analyzer, query: str, text: str) -> None:
    assert shares_a_term(analyzer, query, text)


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Tür", "Reparatur"),  # a short part is not found at the end of another word
        ("Wärmepumpe", "Wärmedämmung der Fassade"),  # only one part in common: no match
        ("und", "und oder aber"),  # stopwords are no terms
    ],
)
def test_unrelated_words_do_not_meet(analyzer: Analyzer, query: str, text: str) -> None:
    if query == "Wärmepumpe":
        # They share the part "wärme", but the query word is not found in the text.
        assert not analyzer.word_found("wärmepumpe", set(analyzer.terms(text)))
    else:
        assert not shares_a_term(analyzer, query, text)


def test_a_word_is_found_by_all_its_parts_or_its_meaning(analyzer: Analyzer) -> None:
    terms = set(analyzer.terms("Die Dachrinne wurde repariert."))
    assert analyzer.word_found("regenrinnenreparatur", terms)
    assert analyzer.word_found("regenrinne", terms)
    assert not analyzer.word_found("fallrohr", terms)


def test_the_fingerprint_changes_with_the_vocabulary() -> None:
    shipped = load_vocabulary()
    own = parse_vocabulary("[gleichbedeutend]\nKlempner, Spengler\n")
    assert Analyzer(shipped).fingerprint == Analyzer(load_vocabulary()).fingerprint
    assert Analyzer(shipped.merged(own)).fingerprint != Analyzer(shipped).fingerprint


def test_a_business_adds_its_own_words(tmp_path: Path) -> None:
    before = open_analyzer(tmp_path)
    assert not shares_a_term(before, "Spengler", "Klempnerarbeiten am Dach")
    (tmp_path / OWN_FILE_NAME).write_text(
        "# unsere Wörter\n[gleichbedeutend]\nKlempner, Spengler\n", encoding="utf-8"
    )
    after = open_analyzer(tmp_path)
    assert shares_a_term(after, "Spengler", "Klempnerarbeiten am Dach")


def test_an_unreadable_own_file_is_left_out_with_a_german_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / OWN_FILE_NAME).write_text("Klempner, Spengler\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="appliance.search"):
        analyzer = open_analyzer(tmp_path)
    assert analyzer.fingerprint == Analyzer(load_vocabulary()).fingerprint
    assert "Zeile 1" in caplog.text and "vor dem ersten Abschnitt" in caplog.text


def test_an_unknown_section_names_the_file_and_line() -> None:
    with pytest.raises(VocabularyError, match=r"meine\.txt, Zeile 3: unbekannter Abschnitt"):
        parse_vocabulary("# x\n\n[synonyme]\nA, B\n", "meine.txt")


def test_the_term_set_is_what_terms_counts(analyzer: Analyzer) -> None:
    text = "Gäste WC und Badsanierung: Regenrinne am Dach repariert, Waermepumpe getauscht."
    written = [word.casefold() for word in analyzer.surface_words(text)]
    assert analyzer.term_set(written) == set(analyzer.terms(text))
