"""Field errors of a 422 answer, by pydantic's error `type` (and the appliance's own types).

The keys are `validation.<type>`; placeholders are the error's `ctx` entries.
"""

from __future__ import annotations

_NUMBER_DE = "Bitte eine Zahl angeben."
_NUMBER_EN = "Please give a number."
_WHOLE_DE = "Bitte eine ganze Zahl angeben."
_WHOLE_EN = "Please give a whole number."
_DATE_DE = "Bitte ein Datum im Format JJJJ-MM-TT angeben, z. B. 2024-05-31."
_DATE_EN = "Please give a date as YYYY-MM-DD, e.g. 2024-05-31."

VALIDATION: dict[str, tuple[str, str]] = {
    "validation.unknown": ("Dieser Wert ist ungültig.", "This value is not valid."),
    "validation.missing": ("Pflichtangabe: bitte ausfüllen.", "Required: please fill it in."),
    "validation.string_type": ("Bitte einen Text angeben.", "Please give a text."),
    "validation.string_too_short": (
        "Bitte mindestens {min_length} Zeichen eingeben.",
        "Please enter at least {min_length} characters.",
    ),
    "validation.string_too_long": (
        "Höchstens {max_length} Zeichen sind erlaubt.",
        "At most {max_length} characters are allowed.",
    ),
    "validation.string_pattern_mismatch": (
        "Dieser Text hat nicht die erwartete Form ({pattern}).",
        "This text does not have the expected form ({pattern}).",
    ),
    "validation.too_short": (
        "Bitte mindestens {min_length} Einträge angeben.",
        "Please give at least {min_length} entries.",
    ),
    "validation.too_long": (
        "Höchstens {max_length} Einträge sind erlaubt.",
        "At most {max_length} entries are allowed.",
    ),
    "validation.int_type": (_WHOLE_DE, _WHOLE_EN),
    "validation.int_parsing": (_WHOLE_DE, _WHOLE_EN),
    "validation.int_from_float": (_WHOLE_DE, _WHOLE_EN),
    "validation.float_type": (_NUMBER_DE, _NUMBER_EN),
    "validation.float_parsing": (_NUMBER_DE, _NUMBER_EN),
    "validation.decimal_type": (_NUMBER_DE, _NUMBER_EN),
    "validation.decimal_parsing": (_NUMBER_DE, _NUMBER_EN),
    "validation.finite_number": (_NUMBER_DE, _NUMBER_EN),
    "validation.decimal_max_places": (
        "Höchstens {decimal_places} Nachkommastellen sind erlaubt.",
        "At most {decimal_places} decimal places are allowed.",
    ),
    "validation.decimal_max_digits": (
        "Die Zahl hat zu viele Stellen (höchstens {max_digits}).",
        "The number has too many digits (at most {max_digits}).",
    ),
    "validation.decimal_whole_digits": (
        "Die Zahl hat zu viele Stellen vor dem Komma (höchstens {whole_digits}).",
        "The number has too many digits before the decimal point (at most {whole_digits}).",
    ),
    "validation.greater_than_equal": (
        "Der Wert muss mindestens {ge} sein.",
        "The value must be at least {ge}.",
    ),
    "validation.greater_than": (
        "Der Wert muss größer als {gt} sein.",
        "The value must be greater than {gt}.",
    ),
    "validation.less_than_equal": (
        "Der Wert darf höchstens {le} sein.",
        "The value must be at most {le}.",
    ),
    "validation.less_than": (
        "Der Wert muss kleiner als {lt} sein.",
        "The value must be less than {lt}.",
    ),
    "validation.bool_type": ("Bitte ja oder nein angeben.", "Please give true or false."),
    "validation.bool_parsing": ("Bitte ja oder nein angeben.", "Please give true or false."),
    "validation.enum": (
        "Bitte einen dieser Werte wählen: {expected}.",
        "Please choose one of: {expected}.",
    ),
    "validation.literal_error": (
        "Bitte einen dieser Werte wählen: {expected}.",
        "Please choose one of: {expected}.",
    ),
    "validation.date_type": (_DATE_DE, _DATE_EN),
    "validation.date_parsing": (_DATE_DE, _DATE_EN),
    "validation.date_from_datetime_parsing": (_DATE_DE, _DATE_EN),
    "validation.date_from_datetime_inexact": (_DATE_DE, _DATE_EN),
    "validation.datetime_type": (
        "Bitte einen Zeitpunkt wie 2024-05-31T14:00:00Z angeben.",
        "Please give a point in time like 2024-05-31T14:00:00Z.",
    ),
    "validation.datetime_parsing": (
        "Bitte einen Zeitpunkt wie 2024-05-31T14:00:00Z angeben.",
        "Please give a point in time like 2024-05-31T14:00:00Z.",
    ),
    "validation.uuid_type": ("Bitte eine gültige Kennung angeben.", "Please give a valid id."),
    "validation.uuid_parsing": ("Bitte eine gültige Kennung angeben.", "Please give a valid id."),
    "validation.list_type": ("Bitte eine Liste angeben.", "Please give a list."),
    "validation.dict_type": ("Bitte ein Objekt angeben.", "Please give an object."),
    "validation.model_type": ("Bitte ein Objekt angeben.", "Please give an object."),
    "validation.model_attributes_type": ("Bitte ein Objekt angeben.", "Please give an object."),
    "validation.extra_forbidden": (
        "Dieses Feld gibt es nicht.",
        "There is no such field.",
    ),
    "validation.json_invalid": (
        "Die Anfrage ist kein gültiges JSON.",
        "The request is not valid JSON.",
    ),
    "validation.json_type": (
        "Die Anfrage ist kein gültiges JSON.",
        "The request is not valid JSON.",
    ),
    # The appliance's own checks (pydantic_core.PydanticCustomError types).
    "validation.not_blank": ("Darf nicht leer sein.", "Must not be blank."),
    "validation.no_nul": (
        "Darf kein NUL-Zeichen enthalten.",
        "Must not contain a NUL character.",
    ),
    "validation.date_text": (_DATE_DE, _DATE_EN),
    "validation.date_order": (
        "Das Enddatum darf nicht vor dem Beginn liegen.",
        "The end date must not be before the start date.",
    ),
    # Amounts (projects/money.py).
    "validation.money_type": (
        "Bitte einen Betrag angeben, z. B. 14200.50.",
        "Please give an amount, e.g. 14200.50.",
    ),
    "validation.money_format": (
        "Ein Betrag als Text besteht aus Ziffern, mit Punkt vor höchstens zwei "
        "Nachkommastellen, z. B. 14200.50.",
        "An amount as text should be digits with a dot before at most two decimals, like 14200.50.",
    ),
    "validation.money_negative": (
        "Ein Betrag darf nicht negativ sein.",
        "An amount must not be negative.",
    ),
    "validation.money_too_large": (
        "Ein Betrag darf höchstens {le} sein.",
        "An amount must be at most {le}.",
    ),
    "validation.money_places": (
        "Ein Betrag hat höchstens {decimal_places} Nachkommastellen.",
        "An amount has at most {decimal_places} decimal places.",
    ),
}
