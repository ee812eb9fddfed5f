"""A short piece of a text around the words that matched, with those words marked.

The full-text index makes its own snippets for the words typed; a paper found by a word
of the same meaning, or by meaning alone, gets one here, cut from its best chunk.
"""

from __future__ import annotations

import re
from typing import Any

from appliance.search.analyzer import Analyzer

SNIPPET_WORDS = 24
_TOKEN = re.compile(r"\S+")


def marked_snippet(analyzer: Analyzer, query: str, text: str) -> list[dict[str, Any]]:
    """About `SNIPPET_WORDS` words of `text` from just before its first matching word, as
    parts `{"text", "hit"}`; the start of the text when no word matches."""
    wanted = list(dict.fromkeys(analyzer.words(query)))
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    hits = [
        index
        for index, (start, end) in enumerate(tokens)
        if _matches(analyzer, text[start:end], wanted)
    ]
    first = max(0, hits[0] - 4) if hits else 0
    window = tokens[first : first + SNIPPET_WORDS]
    parts: list[dict[str, Any]] = []
    if first > 0:
        parts.append({"text": "… ", "hit": False})
    for index, (start, end) in enumerate(window, first):
        piece = text[start:end]
        if index in hits:
            parts.extend(_split_hit(analyzer, piece, wanted))
        else:
            parts.append({"text": piece, "hit": False})
        parts.append({"text": " ", "hit": False})
    if first + SNIPPET_WORDS < len(tokens):
        parts.append({"text": "…", "hit": False})
    return _merged(parts)


def _matches(analyzer: Analyzer, token: str, wanted: list[str]) -> bool:
    return any(
        analyzer.words_match(word, other) for word in analyzer.words(token) for other in wanted
    )


def _split_hit(analyzer: Analyzer, token: str, wanted: list[str]) -> list[dict[str, Any]]:
    # Only the word is marked, not the punctuation around it ("Dachrinne," -> "Dachrinne").
    found = re.search(r"\w+", token)
    if found is None:
        return [{"text": token, "hit": False}]
    before, word, after = token[: found.start()], found.group(), token[found.end() :]
    return [
        {"text": before, "hit": False},
        {"text": word, "hit": _matches(analyzer, word, wanted)},
        {"text": after, "hit": False},
    ]


def _merged(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for part in parts:
        if not part["text"]:
            continue
        if merged and merged[-1]["hit"] == part["hit"] and not part["hit"]:
            merged[-1] = {"text": merged[-1]["text"] + part["text"], "hit": False}
        else:
            merged.append(part)
    if merged and not merged[-1]["hit"]:
        merged[-1] = {"text": merged[-1]["text"].rstrip(), "hit": False}
    return merged
