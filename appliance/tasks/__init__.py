"""Every task the appliance runs, by its documented name (`tasks.*`)."""

from __future__ import annotations

from appliance.tasking.registry import TaskRegistry


def build_registry() -> TaskRegistry:
    """All declared tasks. Importing the modules is cheap: heavy libraries load lazily."""
    from appliance.tasks import backups, diagnostics, documents, embeddings, maintenance

    registry = TaskRegistry()
    for module in (diagnostics, maintenance, embeddings, documents, backups):
        registry.include(module.registry)
    return registry
