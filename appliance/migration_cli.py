"""`appliance migrate ...`: the command around `migration.migrate_installation`."""

from __future__ import annotations

import sys
from pathlib import Path

from appliance.config import Settings
from appliance.embedding import model_dimension
from appliance.migration import ApplianceRunningError, MigrationError, migrate_installation
from appliance.vectors.base import VectorStore


def open_target_store(url: str, api_key: str | None, settings: Settings) -> VectorStore:
    """The Qdrant server's collection, sized for the configured model."""
    from appliance.vectors.client import QdrantClientVectorStore

    try:
        return QdrantClientVectorStore.server(
            url, model_dimension(settings.embedding_model), api_key=api_key
        )
    except Exception as exc:  # qdrant-client raises transport errors of several libraries
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MigrationError(f"Cannot use the Qdrant server at {url}: {reason}") from None


def migrate(
    settings: Settings,
    database_url: str,
    *,
    qdrant_url: str | None,
    qdrant_api_key: str | None,
    uploads_dir: Path | None,
) -> int:
    """Run the migration; 0 when done, 3 when the appliance runs, 1 for other refusals."""
    store: VectorStore | None = None
    try:
        if qdrant_url:
            store = open_target_store(qdrant_url, qdrant_api_key, settings)
        migrate_installation(settings, database_url, vector_store=store, uploads_dir=uploads_dir)
    except ApplianceRunningError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except MigrationError as exc:
        print(f"Migration stopped: {exc}", file=sys.stderr)
        return 1
    finally:
        if store is not None:
            store.close()
    print(
        "Done. Start the appliance with APPLIANCE_DATABASE_URL set to the target database"
        + (" and APPLIANCE_QDRANT_URL to the Qdrant server." if qdrant_url else ".")
    )
    return 0
