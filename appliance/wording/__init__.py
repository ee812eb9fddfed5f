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
_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+")  # 1,000 and 178,956,970; not 1,5


def say(code: str, language: Language, /, **params: Any) -> str:
    """The catalog's text for `code` in `language`, with `params` filled in.

    Numbers come preformatted the English way ("178,956,970": templates have no format
    specs, so a stored text can be matched back); German shows their thousands with dots.
    An unknown code is a programming error (KeyError): the catalog test finds them all.
    """
    template = CATALOG[code][_COLUMN[language]]
    if not params:
        return template
    if language is Language.DE:
        params = {name: _german_number(value) for name, value in params.items()}
    return template.format_map(params)


def _german_number(value: Any) -> Any:
    if isinstance(value, str) and _GROUPED.fullmatch(value):
        return value.replace(",", ".")
    return value


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
            # A part may be a message of its own: "<why the reader stopped> It will be
            # tried again."
            params = {name: reword(value, language) for name, value in found.groupdict().items()}
            return say(code, language, **params)
    return text


@cache
def _english_patterns() -> list[tuple[str, re.Pattern[str]]]:
    # The most fixed text first: "The upload could not be read: only one file per
    # upload." must not be taken for "The upload could not be read: {reason}.".
    patterns = [(code, _pattern_of(english)) for code, (_german, english) in CATALOG.items()]
    return sorted(patterns, key=lambda item: -_fixed_length(CATALOG[item[0]][1]))


def _fixed_length(template: str) -> int:
    return sum(len(literal) for literal, *_ in string.Formatter().parse(template))


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
