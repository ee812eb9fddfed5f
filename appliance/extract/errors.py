"""The one error type a person may see, with a short code the UI and API branch on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from appliance.wording import Language, say


class ExtractionError(Exception):
    """A file could not be turned into text.

    `code` is a short snake_case code ("corrupt", "encrypted", "zip_bomb", ...) that
    programs branch on; `reason` names the message for a person in the catalog
    (appliance.wording, "extract.*"), `params` fill it. `message` is the English text:
    no file paths, no stack traces.
    """

    def __init__(self, code: str, reason: str, **params: str) -> None:
        self.code = code
        self.reason = reason
        self.params: dict[str, Any] = params
        self.message = say(reason, Language.EN, **params)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Callable[..., ExtractionError], tuple[Any, ...]]:
        # Keeps the error picklable (the default would pass only the message back).
        return (_rebuilt, (type(self), self.code, self.reason, self.params))


def _rebuilt(
    kind: type[ExtractionError], code: str, reason: str, params: dict[str, str]
) -> ExtractionError:
    return kind(code, reason, **params)


def corrupt(kind: str) -> ExtractionError:
    """The standard error for a file its parser cannot read: `kind` is pdf, docx, text
    or image."""
    return ExtractionError("corrupt", f"extract.corrupt_{kind}")


@contextmanager
def parser_errors(kind: str) -> Iterator[None]:
    """Turn whatever a parser raises into `corrupt(kind)`.

    Parsers of hostile files raise anything (pypdf: PdfReadError, KeyError, ValueError,
    RecursionError, ...). ExtractionError passes unchanged, and so does MemoryError: the
    sandbox reports that one as its own case. BaseExceptions (KeyboardInterrupt,
    SystemExit, GeneratorExit) are not Exceptions and are never caught. Callbacks must not
    run inside this block, so that their exceptions are not mistaken for the parser's.
    """
    try:
        yield
    except (ExtractionError, MemoryError):
        raise
    except Exception as exc:
        raise corrupt(kind) from exc
