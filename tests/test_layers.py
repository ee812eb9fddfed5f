"""The package's layers, as the README's architecture section draws them, hold.

Every import inside `appliance/` (deferred and TYPE_CHECKING ones included) goes to a
module of the same layer or a lower one. A new module must be given its layer here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "appliance"

# Layer of each module, by its dotted name relative to the package (prefixes match
# sub-packages). 1 is the top: it may import anything below.
LAYERS: dict[str, int] = {
    # 1. entry points, and what only they assemble
    "__main__": 1,
    "cli": 1,
    "launcher": 1,
    "worker": 1,
    "node": 1,
    "selftest": 1,
    "migration": 1,
    "migration_cli": 1,
    "commands": 1,
    "bootstrap": 1,
    "backup_cli": 1,
    "schema": 1,
    "alembic": 1,
    "supervisor": 1,
    "supervision": 1,
    "settings_table": 1,
    # 2. the HTTP API and the task functions, both thin
    "api": 2,
    "tasks": 2,
    # 3. the use cases
    "projects": 3,
    "documents": 3,
    "backups": 3,
    "model_change": 3,
    "trash": 3,
    "work": 3,
    # 4. the runtime, the task engine and the stores
    "runtime": 4,
    "tasking": 4,
    "db": 4,
    "postgres": 4,
    "vectors": 4,
    "reader": 4,
    "embedding": 4,
    "search": 4,
    "slots": 4,
    "internal_client": 4,
    "tls": 4,
    # 5. settings, errors and small helpers that import nothing above them
    "__init__": 5,
    "config": 5,
    "errors": 5,
    "extract": 5,
    "holds": 5,
    "instance": 5,
    "logs": 5,
    "priority": 5,
    "private_files": 5,
    "processes": 5,
    "samples": 5,
    "start_notice": 5,
    "timers": 5,
    "wording": 5,
}


def layer_of(module: str) -> int:
    """The layer of `appliance.<module>` (longest matching prefix)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in LAYERS:
            return LAYERS[name]
    raise AssertionError(f"appliance.{module} has no layer in tests/test_layers.py")


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found.append((".".join(parts), path))
    return found


def imported(path: Path, module: str) -> set[str]:
    """Modules of `appliance` that the file imports, anywhere in it."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".") if package else []
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(["appliance", *anchor, *([base] if base else [])])
            names.add(base)
    return {n.removeprefix("appliance.") for n in names if n.startswith("appliance.")}


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_go_to_the_same_layer_or_below(module: str, path: Path) -> None:
    own = layer_of(module)
    upward = sorted(name for name in imported(path, module) if layer_of(name) < own)
    assert upward == [], f"appliance.{module} (layer {own}) imports from above: {upward}"
