"""Messages for people, in German or English: one catalog, looked up by stable codes.

Codes (`project_not_found`, `validation.string_too_short`, ...) are what programs branch
on; they never change with the language. The text a person reads is rendered from the
catalog in the language of the request (`Accept-Language`), German when the request
names neither (`APPLIANCE_LANGUAGE`).

Messages stored in the databases (a document's error, a task's) are written in English by
workers in other processes, and by older versions: `reword` renders such a text in the
reader's language by matching it against the catalog's English templates, so a stored
message needs no code column to be shown in German.
"""

from __future__ import annotations

import re
import string
from enum import StrEnum
from functools import cache
from typing import Any

from appliance.wording.catalog import CATALOG


class Language(StrEnum):
    """The languages the appliance speaks; German is the office's."""

    DE = "de"
    EN = "en"


_COLUMN = {Language.DE: 0, Language.EN: 1}
_QUALITY = re.compile(r"^q=([0-9.]+)$")


def say(code: str, language: Language, /, **params: Any) -> str:
    """The catalog's text for `code` in `language`, with `params` filled in.

    An unknown code is a programming error (KeyError): the catalog test finds them all.
    """
    template = CATALOG[code][_COLUMN[language]]
    return template.format_map(params) if params else template


def negotiate(accept_language: str | None, default: Language) -> Language:
    """The language of an `Accept-Language` header: the preferred one the appliance speaks.

    `de-AT;q=0.8, en;q=0.9` answers English; a header naming neither language, or none at
    all, answers `default`.
    """
    best: tuple[float, Language] | None = None
    for part in (accept_language or "").split(","):
        tag, _, rest = part.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        if primary not in ("de", "en"):
            continue
        weight = _weight(rest)
        if weight is None:
            continue
        if weight > 0 and (best is None or weight > best[0]):
            best = (weight, Language(primary))
    return best[1] if best else default


def _weight(parameters: str) -> float | None:
    """The q-value of one `Accept-Language` entry (1 when absent); None when unreadable."""
    text = parameters.strip().replace(" ", "")
    if not text:
        return 1.0
    quality = _QUALITY.match(text)
    try:
        return float(quality.group(1)) if quality else None
    except ValueError:
        return None


def reword(text: str | None, language: Language) -> str | None:
    """A stored English message in `language`; a text that is no catalog message unchanged."""
    if not text or language is Language.EN:
        return text
    for code, pattern in _english_patterns():
        found = pattern.fullmatch(text)
        if found:
            return say(code, language, **found.groupdict())
    return text


@cache
def _english_patterns() -> list[tuple[str, re.Pattern[str]]]:
    # Longest templates first: "The file is empty." must not win over a longer, more
    # specific message that happens to contain a placeholder matching anything.
    patterns = [(code, _pattern_of(english)) for code, (_german, english) in CATALOG.items()]
    return sorted(patterns, key=lambda item: -len(CATALOG[item[0]][1]))


def _pattern_of(template: str) -> re.Pattern[str]:
    regex, named = [], set()
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        regex.append(re.escape(literal))
        if field is None:
            continue
        # A placeholder used twice must hold the same text twice.
        regex.append(f"(?P={field})" if field in named else f"(?P<{field}>.+?)")
        named.add(field)
    return re.compile("".join(regex), re.DOTALL)
