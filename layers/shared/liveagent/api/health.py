"""GET /health (open) and GET /api/openapi.json (the spec of this API)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from liveagent.api.schemas import Health

router = Router()


@router.get("/health", security=[])
def health() -> Health:
    return Health(status="ok")


@router.get("/api/openapi.json", include_in_schema=False)
def openapi_document() -> dict[str, Any]:
    from liveagent.api.openapi import spec  # built on first use: it walks every router

    return spec()
