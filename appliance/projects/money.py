"""Amounts of money in euros, exact to the cent, from the API's JSON to the tables and back.

Inside, an amount is a `Decimal` with two places, never a float: 14200.50 stays 14200.50.
The API reads a JSON number (14200.5) or a decimal string ("14200.50") and answers with
a JSON number, whose text is the exact amount (its 13 digits at most are well within the
15 a float keeps). Anything else is refused with a coded error (`MoneyError`), never
rounded: a person who typed 14200.505 meant something the appliance cannot know.

Stored as NUMERIC(13, 2) on PostgreSQL. SQLite has no exact decimal type (its NUMERIC
keeps a REAL when the value fits one), so there an amount is a whole number of cents in
an INTEGER column: exact, and it sorts like the amount.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from appliance.wording import Language, say

CENT = Decimal("0.01")
PLACES = 2
# The bound the API has always had: every amount stored by an earlier version is valid.
MAX_AMOUNT = Decimal("10000000000.00")
# Thirteen digits hold MAX_AMOUNT; on SQLite its cents fit a 64-bit integer many times.
PRECISION = 13

# A decimal string the API takes, exactly: digits, at most two decimals, at most
# MAX_AMOUNT (leading zeros allowed). [0-9], not \d: Python's \d takes any script's digits.
AMOUNT_TEXT = r"^0*(?:[0-9]{1,10}(?:\.[0-9]{1,2})?|10000000000(?:\.0{1,2})?)$"
_AMOUNT_TEXT = re.compile(AMOUNT_TEXT)
# Text that is a number, but not one AMOUNT_TEXT takes: said why in the error.
_NUMBER_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class MoneyError(StrEnum):
    """The `type` of a refused amount in a 422, with its English message; `ctx` holds
    the numbers a message names (a translation fills them in)."""

    TYPE = "money_type"
    FORMAT = "money_format"
    NEGATIVE = "money_negative"
    TOO_LARGE = "money_too_large"
    PLACES = "money_places"


CONTEXTS: dict[MoneyError, dict[str, Any]] = {
    MoneyError.TOO_LARGE: {"le": int(MAX_AMOUNT)},
    MoneyError.PLACES: {"decimal_places": PLACES},
}


def refusal(code: MoneyError) -> PydanticCustomError:
    """The validation error for `code`, with its context; its message is the catalog's
    English template (`wording/validation.py`), filled by pydantic from the context."""
    template = say(f"validation.{code.value}", Language.EN)
    return PydanticCustomError(code.value, template, CONTEXTS.get(code))


def amount(value: object) -> Decimal:
    """`value` (a JSON number, a decimal string, or a Decimal) as an exact amount with two
    places. Raises the `refusal` of the first rule it breaks."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise refusal(MoneyError.TYPE)
    if isinstance(value, str):
        return _from_text(value)
    if isinstance(value, float):
        return _from_float(value)
    return _checked(Decimal(value))


def _from_text(text: str) -> Decimal:
    if _AMOUNT_TEXT.fullmatch(text):
        return Decimal(text).quantize(CENT)
    if not _NUMBER_TEXT.fullmatch(text):
        raise refusal(MoneyError.FORMAT)
    # A number, but not one AMOUNT_TEXT describes (the schema's pattern): say which rule
    # it breaks. "14200.500" breaks the places although its value has two.
    if text.startswith("-"):
        raise refusal(MoneyError.NEGATIVE)
    if Decimal(text) > MAX_AMOUNT:
        raise refusal(MoneyError.TOO_LARGE)
    raise refusal(MoneyError.PLACES)


def _from_float(value: float) -> Decimal:
    if not math.isfinite(value):
        raise refusal(MoneyError.TYPE)
    _within_bounds(value)
    cents = Decimal(value).quantize(CENT)
    # JSON's 14200.5 arrives as the float nearest to it; a sum computed by the client
    # (0.1 + 0.2) as one a bit off. Both are that many cents; 14200.505 is not.
    if abs(float(cents) - value) > 2 * math.ulp(value):
        raise refusal(MoneyError.PLACES)
    return abs(cents)  # abs: -0.0 is 0.00


def _checked(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise refusal(MoneyError.TYPE)
    _within_bounds(value)
    cents = value.quantize(CENT)
    if cents != value:
        raise refusal(MoneyError.PLACES)
    return abs(cents)


def _within_bounds(value: float | Decimal) -> None:
    if value < 0:
        raise refusal(MoneyError.NEGATIVE)
    if value > MAX_AMOUNT:
        raise refusal(MoneyError.TOO_LARGE)


def as_json_number(value: Decimal) -> float:
    """The amount for a JSON answer: a float whose shortest text is the amount itself."""
    return float(value)


# What a client may send, as precisely as JSON Schema can say it. The places of a JSON
# number are not stated (multipleOf 0.01 fails on floats: 0.57 / 0.01 = 56.99...).
INPUT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT)},
        {"type": "string", "pattern": AMOUNT_TEXT},
    ],
}

Money = Annotated[
    Decimal,
    PlainValidator(amount),
    PlainSerializer(as_json_number, return_type=float, when_used="json"),
    WithJsonSchema(INPUT_SCHEMA, mode="validation"),
    WithJsonSchema({"type": "number"}, mode="serialization"),
]


class ExactMoney(TypeDecorator[Decimal]):
    """An amount column: NUMERIC(13, 2) on PostgreSQL, whole cents (INTEGER) on SQLite."""

    impl = sa.Numeric(PRECISION, PLACES, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(PRECISION, PLACES, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = _exact(value)
        return int(exact.scaleb(PLACES)) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-PLACES)
        return Decimal(value).quantize(CENT)


def _exact(value: Any) -> Decimal:
    # The models check amounts before they get here; a value with more places would be
    # a bug, and rounding it silently would hide one.
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        exact = number.quantize(CENT)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if exact != number:
        raise ValueError(f"an amount has at most two decimal places, not {value!r}")
    return exact
