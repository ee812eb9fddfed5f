"""The one error type a person may see, with a short code the UI and API branch on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class ExtractionError(Exception):
    """A file could not be turned into text.

    `code` is a short snake_case code ("corrupt", "encrypted", "zip_bomb", ...);
    `message` is an English sentence for a person: no file paths, no stack traces.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[ExtractionError], tuple[str, str]]:
        # Keeps the error picklable (the default would pass only the message back).
        return (type(self), (self.code, self.message))


def corrupt(what: str) -> ExtractionError:
    """The standard error for a file its parser cannot read."""
    return ExtractionError("corrupt", f"The {what} is damaged or incomplete and cannot be read.")


@contextmanager
def parser_errors(what: str) -> Iterator[None]:
    """Turn whatever a parser raises into `corrupt(what)`.

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
        raise corrupt(what) from exc
