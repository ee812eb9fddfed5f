"""The message catalog: complete in both languages, every code the code uses defined,
the request's language negotiated, stored English messages reworded."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from appliance.errors import AppError, StartupError
from appliance.extract.errors import ExtractionError
from appliance.wording import Language, negotiate, reword, say
from appliance.wording.catalog import CATALOG

PACKAGE = Path(__file__).resolve().parents[1] / "appliance"


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_every_code_has_both_languages_and_german_needs_no_other_placeholders() -> None:
    assert len(CATALOG) > 100
    for code, (german, english) in CATALOG.items():
        assert german.strip() and english.strip(), code
        assert german != english or code.startswith("validation."), f"{code} is not translated"
        # German may leave out what a person does not need (a project's id, say).
        assert placeholders(german) <= placeholders(english), code


def _error_classes() -> set[str]:
    """Names of the classes whose first argument is a catalog code."""
    found: set[str] = set()
    pending: list[type] = [AppError, StartupError]
    while pending:
        kind = pending.pop()
        found.add(kind.__name__)
        pending.extend(kind.__subclasses__())
    return found


def codes_in_source() -> list[tuple[str, str]]:
    """(where, code) of every literal code handed to an error, `say` or a refusal."""
    # Import the modules that define the error classes, so __subclasses__ sees them.
    import appliance.api.app
    import appliance.backups.upgrade
    import appliance.cli
    import appliance.node
    import appliance.worker  # noqa: F401

    error_classes = _error_classes()
    found = []
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text("utf-8")
        tree = ast.parse(source)
        catalog_say = "from appliance.wording import" in source
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            literal = [a.value for a in node.args if isinstance(a, ast.Constant)]
            where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
            if name in error_classes and literal and isinstance(literal[0], str):
                found.append((where, literal[0]))
            elif node.args and (
                name in ("error_json", "_bad", "_bomb") or (name == "say" and catalog_say)
            ):
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((where, first.value))
            elif name == "ExtractionError" and len(node.args) >= 2:
                reason = node.args[1]
                if isinstance(reason, ast.Constant):
                    found.append((where, str(reason.value)))
            elif name == "_Refusal" and len(literal) >= 2:
                found.append((where, str(literal[1])))
    return found


def test_every_code_the_code_uses_is_in_the_catalog() -> None:
    found = codes_in_source()
    assert len(found) > 60  # the scan sees the raise sites
    missing = [f"{where}: {code!r}" for where, code in found if code not in CATALOG]
    assert missing == [], "codes without a catalog entry (or an English sentence left):\n" + (
        "\n".join(missing)
    )


def _user_facing_classes() -> dict[str, int]:
    """Errors whose message a person reads, by the position of that message: it must
    come from the catalog (`say(...)`) or be handed on, never be written in place."""
    import appliance.documents.source
    import appliance.reader.sandbox  # noqa: F401
    from appliance.tasking.context import UserFacingError

    found: dict[str, int] = {}
    pending: list[type] = [UserFacingError]
    while pending:
        kind = pending.pop()
        found[kind.__name__] = (
            1 if kind.__name__ in ("SandboxError", "ExtractionFailedError") else 0
        )
        pending.extend(kind.__subclasses__())
    return found


def _written_in_place(node: ast.expr) -> bool:
    """An English sentence in the source: a text literal, an f-string or a sum of texts."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _module_texts(tree: ast.Module) -> dict[str, list[str]]:
    """Module-level names bound to a text, or to a dict of texts (all its values)."""
    texts: dict[str, list[str]] = {}
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
            continue
        target, value = statement.targets[0], statement.value
        if not isinstance(target, ast.Name):
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            texts[target.id] = [value.value]
        elif isinstance(value, ast.Dict):
            texts[target.id] = [v.value for v in value.values if isinstance(v, ast.Constant)]
    return texts


def _kinds(node: ast.expr, texts: dict[str, list[str]]) -> list[str] | None:
    """The texts `node` can be: a literal, a module constant, `TABLE.get(key, default)`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in texts:
        return texts[node.id]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in texts
    ):
        return texts[node.func.value.id] + [
            d.value for d in node.args[1:] if isinstance(d, ast.Constant)
        ]
    return None


def test_no_message_for_a_person_is_written_in_place() -> None:
    # codes_in_source checks the literal codes; this finds what it cannot see: a sentence
    # (or an f-string) handed to an error instead of a code, and kinds of damaged files
    # (`corrupt("pdf")` -> extract.corrupt_pdf) the catalog does not have.
    codes_in_source()  # imports the modules that define the error classes
    coded = _error_classes()
    user_facing = _user_facing_classes()
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        texts = _module_texts(tree)
        # The helpers themselves hand on the kind they are given.
        helpers = {
            id(inner)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef)
            and path == PACKAGE / "extract" / "errors.py"
            and function.name in ("corrupt", "parser_errors")
            for inner in ast.walk(function)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or id(node) in helpers:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
            if name in coded and node.args and isinstance(node.args[0], ast.JoinedStr | ast.BinOp):
                wrong.append(f"{where}: a sentence instead of a code")
            elif name == "ExtractionError" and len(node.args) >= 2:
                if isinstance(node.args[1], ast.JoinedStr | ast.BinOp):
                    wrong.append(f"{where}: a sentence instead of a reason code")
            elif name in user_facing and len(node.args) > user_facing[name]:
                if _written_in_place(node.args[user_facing[name]]):
                    wrong.append(f"{where}: a sentence not taken from the catalog")
            elif name in ("corrupt", "parser_errors") and path.parent.name == "extract":
                kinds = _kinds(node.args[0], texts) if node.args else None
                if kinds is None:
                    wrong.append(f"{where}: a kind of file the test cannot read")
                    continue
                wrong += [
                    f"{where}: no extract.corrupt_{kind}"
                    for kind in kinds
                    if f"extract.corrupt_{kind}" not in CATALOG
                ]
    assert wrong == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Language.DE),
        ("", Language.DE),
        ("de-DE,de;q=0.9,en;q=0.8", Language.DE),
        ("en-US,en;q=0.9", Language.EN),
        ("de-AT;q=0.8, en;q=0.9", Language.EN),
        ("fr-FR,fr;q=0.9", Language.DE),  # neither: the installation's language
        ("fr, en;q=0.5", Language.EN),
        ("en;q=0, de;q=0.1", Language.DE),  # q=0 means "not this one"
        ("en;q=abc", Language.DE),  # garbage is ignored, not an error
        (";;;,,,", Language.DE),
    ],
)
def test_the_language_is_the_preferred_one_the_appliance_speaks(
    header: str | None, expected: Language
) -> None:
    assert negotiate(header, Language.DE) is expected


def test_without_a_language_both_sides_know_the_installation_default_answers() -> None:
    assert negotiate(None, Language.EN) is Language.EN
    assert negotiate("it-IT", Language.EN) is Language.EN


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_a_stored_english_message_is_shown_in_german(code: str) -> None:
    english = CATALOG[code][1]
    params = {name: f"<{name} 42>" for name in placeholders(english)}
    stored = english.format_map(params)
    shown = reword(stored, Language.DE)
    # Several codes may share an English text (validation types); any of their German ones.
    same_english = {g.format_map(params) for g, e in CATALOG.values() if e == english}
    assert shown in same_english, (code, stored, shown)
    assert reword(stored, Language.EN) == stored


def test_a_message_that_is_not_in_the_catalog_stays_as_it_is() -> None:
    assert reword("ValueError: boom", Language.DE) == "ValueError: boom"
    assert reword(None, Language.DE) is None


def test_an_extraction_error_keeps_its_reason_across_processes() -> None:
    import pickle

    error = ExtractionError("too_many_pixels", "extract.image_too_many_pixels", limit="1,000")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.reason, copy.params) == (error.code, error.reason, error.params)
    assert str(copy) == "The image is too large; at most 1,000 pixels are allowed."
    assert say(copy.reason, Language.DE, **copy.params).startswith("Das Bild ist zu groß")


def test_a_stored_message_made_of_messages_is_reworded_part_by_part() -> None:
    stored = say(
        "document.tried_again", Language.EN, reason=say("reader.crashed_on_file", Language.EN)
    )
    assert stored == "The file made the reader crash; it may be damaged. It will be tried again."
    assert reword(stored, Language.DE) == (
        "Die Datei hat das Leseprogramm abstürzen lassen; vielleicht ist sie beschädigt. "
        "Es wird erneut versucht."
    )
    # A technical error stays as it was; the sentence around it is still translated.
    assert reword("ValueError: boom It will be tried again.", Language.DE) == (
        "ValueError: boom Es wird erneut versucht."
    )


def test_the_task_engines_reasons_are_read_in_german() -> None:
    assert reword("worker w2 died while running the task", Language.DE) == (
        "Der Worker w2 ist während der Aufgabe abgestürzt."
    )
    assert reword("soft time limit exceeded", Language.DE) == (
        "Zeitlimit überschritten: die Aufgabe wurde angehalten."
    )


def test_german_groups_thousands_with_dots() -> None:
    stored = say("extract.image_too_many_pixels", Language.EN, limit="178,956,970")
    assert stored == "The image is too large; at most 178,956,970 pixels are allowed."
    assert reword(stored, Language.DE) == (
        "Das Bild ist zu groß; höchstens 178.956.970 Pixel sind erlaubt."
    )
