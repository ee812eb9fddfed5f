"""Errors a person can act on; the API turns each into a status code and a message."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base class: `status` for the HTTP answer, the message for the person."""

    status = 400

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFoundError(AppError):
    status = 404


class ConflictError(AppError):
    status = 409


class InvalidInputError(AppError):
    """422 for one input; `loc` names it the way FastAPI's validation errors do."""

    status = 422

    def __init__(self, message: str, loc: tuple[str, ...] = ("body",)) -> None:
        super().__init__(message)
        self.details = [{"loc": list(loc), "msg": message, "type": "value_error"}]


class RequestInvalidError(InvalidInputError):
    """Field errors found after merging a change into stored data, shaped like FastAPI's."""

    def __init__(self, error: Any) -> None:
        details = [
            {
                "loc": ["body", *error_item["loc"]],
                "msg": error_item["msg"],
                "type": error_item["type"],
            }
            for error_item in error.errors(include_url=False, include_input=False)
        ]
        AppError.__init__(self, "; ".join(f"{d['loc'][-1]}: {d['msg']}" for d in details))
        self.details = details


class StartupError(Exception):
    """A command cannot start; the message is one line for a person, with an exit code.

    Codes: 2 settings that cannot work, 3 cannot start here (already running, port in
    use), 4 a server the settings name cannot be reached. `german` is what a person who
    double-clicked the program is shown (start_notice.py), where one is written.
    """

    exit_code = 3

    def __init__(self, message: str, *, german: str | None = None) -> None:
        super().__init__(message)
        self.german = german


class MissingPartError(StartupError):
    """A setting asks for a package this program leaves out."""

    exit_code = 2


def require_part(module: str, setting: str, *, extra: str = "server") -> None:
    """Raise MissingPartError when `module` cannot be imported.

    The desktop program ships without the distributed engines' drivers (PostgreSQL,
    Redis, a Qdrant server: the `server` extra) and without torch (the `export` extra); a
    setting that needs one says so in one line, not a trace.
    """
    try:
        __import__(module)
    except ImportError:
        raise MissingPartError(
            f"{setting} needs the Python package {module!r}, which this program does not "
            f"include: install the appliance from source with its {extra} extra "
            f"(pip install 'handwerkml-appliance[{extra}]')."
        ) from None
