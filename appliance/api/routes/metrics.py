"""/metrics in the Prometheus text format."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from appliance.api.deps import MetricsDep

router = APIRouter(tags=["metrics"])


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(registry: MetricsDep) -> Response:
    body = generate_latest(registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
