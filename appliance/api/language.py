"""The language of a request's messages, for routes and for the middlewares below them."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import Scope

from appliance.wording import Language, negotiate, say


def scope_language(scope: Scope, default: Language) -> Language:
    """`Accept-Language` of the request in `scope`, else `default`."""
    return negotiate(Headers(scope=scope).get("accept-language"), default)


def error_json(code: str, language: Language, **params: Any) -> bytes:
    """An error answer's body, as the routes' errors look: `detail` and `error_code`."""
    return json.dumps({"detail": say(code, language, **params), "error_code": code}).encode()
