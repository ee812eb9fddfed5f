"""The seed's own design, rebuilt as the peer every benchmark run measures beside the
appliance: FastAPI + SQLite + Celery `delay()` on Redis (broker and result backend), 4
prefork workers, the same model (see ../shared/seed)."""
