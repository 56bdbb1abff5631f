"""Sends to customers through Meta's Graph API (requests), with bounded retries on throttling/5xx."""

from __future__ import annotations

from functools import cache
from typing import Any

import requests
from aws_lambda_powertools.utilities import parameters
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from liveagent import config
from liveagent.channels import ChannelModel, instagram, whatsapp
from liveagent.errors import ChannelError
from liveagent.observability import logger

_TIMEOUT = (3.05, 10)


@cache
def _session() -> requests.Session:
    retry = Retry(
        total=config.graph_max_retries(),
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=None,  # POSTs too: Meta answers 5xx before accepting a message
        backoff_factor=0.2,
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def _token(channel: ChannelModel) -> str:
    return parameters.get_secret(channel.token_secret, max_age=300)


def send(channel: ChannelModel, request: dict[str, Any]) -> str:
    """POST one message; returns Meta's message id (wamid / mid) or raises ChannelError."""
    url = f"{config.graph_api_base()}/{channel.account_id}/messages"
    try:
        response = _session().post(
            url, json=request, headers={"Authorization": f"Bearer {_token(channel)}"}, timeout=_TIMEOUT
        )
    except requests.RequestException as exc:
        raise ChannelError(f"Graph API unreachable: {exc}") from exc
    body: dict[str, Any] = {}
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not response.ok:
        error = body.get("error") or {}
        logger.warning(
            "Graph API refused a message",
            extra={"http_status": response.status_code, "meta_error": error, "channel": channel.channel},
        )
        raise ChannelError(
            f"Graph API error {response.status_code}: {error.get('message', response.reason)}",
            http_status=response.status_code,
            meta_code=error.get("code"),
        )
    parser = whatsapp if channel.channel == "whatsapp" else instagram
    return parser.sent_message_id(body) or ""
