"""Fusing the hits by meaning and by words into one order."""

from __future__ import annotations

import pytest

from appliance.search.fusion import SearchMode, fuse
from appliance.vectors.base import VectorHit


def hits(**scores: float) -> list[VectorHit]:
    return [VectorHit(point, score, {}) for point, score in scores.items()]


def test_words_and_meaning_count_half_each() -> None:
    fused = fuse(hits(a=0.8, b=0.4, c=0.6), hits(b=6.0, c=3.0))
    assert [h.id for h in fused] == ["b", "c", "a"]
    b, c, a = fused
    assert b.score == pytest.approx(0.5 * 1.0 + 0.5 * 0.4)
    assert c.score == pytest.approx(0.5 * 0.5 + 0.5 * 0.6)
    assert a.score == pytest.approx(0.5 * 0.8) and a.words == 0.0


def test_without_a_word_in_common_meaning_decides() -> None:
    fused = fuse(hits(a=0.3, b=0.7), [])
    assert [h.id for h in fused] == ["b", "a"]


def test_a_negative_cosine_counts_as_no_likeness() -> None:
    [hit] = fuse(hits(a=-0.2), hits(a=2.0))
    assert hit.score == pytest.approx(0.5) and hit.similarity == pytest.approx(-0.2)


def test_the_modes_weigh_one_side_alone() -> None:
    meaning, words = hits(a=0.9, b=0.1), hits(b=5.0, a=1.0)
    by_meaning = fuse(meaning, words, words_weight=SearchMode.MEANING.words_weight)
    by_words = fuse(meaning, words, words_weight=SearchMode.WORDS.words_weight)
    assert [h.id for h in by_meaning] == ["a", "b"]
    assert [h.id for h in by_words] == ["b", "a"]


def test_equal_scores_keep_a_stable_order() -> None:
    assert [h.id for h in fuse(hits(b=0.5, a=0.5), [])] == ["a", "b"]
