"""Errors a person can act on; the API turns each into a status code and a message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from appliance.wording import Language, say
from appliance.wording.catalog import CATALOG


class AppError(Exception):
    """Base class: `status` for the HTTP answer, a catalog code for the person's message.

    `code` names the message in `appliance.wording` (the API sends it as `error_code`,
    the same in every language); `params` fill its placeholders; `body` adds fields to
    the answer. `str(error)` is the English text, for logs.
    """

    status = 400

    def __init__(
        self,
        code: str,
        /,
        *,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.params = params
        self.body = dict(body or {})
        self.headers = dict(headers) if headers is not None else None
        super().__init__(self.say(Language.EN))

    def say(self, language: Language) -> str:
        """The message in `language`."""
        return say(self.code, language, **params_shown(self.params))


class NotFoundError(AppError):
    status = 404


class ConflictError(AppError):
    status = 409


class NotLoggedInError(AppError):
    status = 401


class TooManyAttemptsError(AppError):
    status = 429


class InvalidInputError(AppError):
    """422 for one input; `loc` names it the way FastAPI's validation errors do."""

    status = 422

    def __init__(self, code: str, /, loc: tuple[str, ...] = ("body",), **params: Any) -> None:
        super().__init__(code, **params)
        self.loc = loc

    def details(self, language: Language) -> list[dict[str, Any]]:
        """The answer's `detail`, shaped like FastAPI's validation errors."""
        return [{"loc": list(self.loc), "msg": self.say(language), "type": self.code}]


class RequestInvalidError(InvalidInputError):
    """Field errors found after merging a change into stored data, shaped like FastAPI's."""

    def __init__(self, error: Any) -> None:
        self.errors = [
            {**item, "loc": ["body", *item["loc"]]}
            for item in error.errors(include_url=False, include_input=False)
        ]
        super().__init__(
            "request_invalid", fields=", ".join(str(e["loc"][-1]) for e in self.errors)
        )

    def details(self, language: Language) -> list[dict[str, Any]]:
        return [field_error(item, language) for item in self.errors]


def field_error(error: Any, language: Language) -> dict[str, Any]:
    """One of pydantic's field errors with its `msg` in `language`.

    The `type` stays as pydantic (or the appliance's own validator) named it; the
    message comes from the catalog (`validation.<type>`, filled from `ctx`), or, for a
    type the catalog lacks, a general sentence (in English pydantic's own message).
    """
    kind = str(error.get("type", ""))
    code = f"validation.{kind}"
    context = {key: _shown(value, language) for key, value in (error.get("ctx") or {}).items()}
    if code in CATALOG:
        try:
            message = say(code, language, **context)
        except KeyError:  # a context without the placeholder's entry
            message = say("validation.unknown", language)
    elif language is Language.EN and error.get("msg"):
        message = str(error["msg"])
    else:
        message = say("validation.unknown", language)
    shown = {key: value for key, value in error.items() if key not in ("ctx", "url")}
    shown["msg"] = message
    return shown


def _shown(value: Any, language: Language) -> str:
    text = str(value)
    # pydantic lists choices as "'a', 'b' or 'c'".
    return text.replace(" or ", " oder ") if language is Language.DE else text


class StartupError(Exception):
    """A command cannot start: one line for a person, with an exit code.

    Exit codes: 2 settings that cannot work, 3 cannot start here (already running, port
    in use), 4 a server the settings name cannot be reached. `code` names the message in
    the catalog; `str(error)` is the English line for the terminal, `say(language)` what
    a person who double-clicked the program is shown (start_notice.py).
    """

    exit_code = 3

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(self.say(Language.EN))

    def say(self, language: Language) -> str:
        """The message in `language`."""
        return say(self.code, language, **params_shown(self.params))


def params_shown(params: Mapping[str, Any]) -> dict[str, str]:
    """Parameters as text for a message (paths, numbers)."""
    return {name: str(value) for name, value in params.items()}


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
            "start.missing_part", setting=setting, module=module, extra=extra
        ) from None
