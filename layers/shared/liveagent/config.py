"""Deployment configuration, read from the environment that template.yaml gives every function."""

from __future__ import annotations

import os
from urllib.parse import urlsplit


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def fail_fast_client(service: str):
    """A client for a service with a local fallback (Comprehend, Bedrock): short timeouts and one attempt,
    no retry storm while the fallback is right here."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1})
    return boto3.client(service, region_name=region(), config=config)


def table_name(variable: str) -> str:
    # Table names come from template.yaml (!Ref of each table); the fallback only serves imports in tools.
    return os.environ.get(variable, variable.removesuffix("_TABLE").title())


def message_state_machine_arn() -> str:
    return os.environ["MESSAGE_STATE_MACHINE_ARN"]


def escalation_state_machine_arn() -> str:
    return os.environ["ESCALATION_STATE_MACHINE_ARN"]


def meta_secret_name() -> str:
    return os.environ["META_SECRET_NAME"]


def sender_email() -> str:
    return os.environ["SENDER_EMAIL"]


def graph_api_base() -> str:
    return os.environ.get("GRAPH_API_BASE", "https://graph.facebook.com/v21.0").rstrip("/")


def dashboard_url() -> str:
    """Where agents open the dashboard (links in alert emails); template.yaml sets it for every function."""
    return os.environ.get("DASHBOARD_URL", "").rstrip("/")


def dashboard_origin() -> str:
    """The dashboard's origin (scheme://host[:port]), the one origin the API's CORS admits."""
    parts = urlsplit(dashboard_url())
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def max_message_age_seconds() -> int:
    """Messages older than this (Meta retries for up to 7 days) are stored but start no escalation."""
    return int(os.environ.get("MAX_MESSAGE_AGE_SECONDS", "86400"))


def graph_max_retries() -> int:
    return int(os.environ.get("GRAPH_MAX_RETRIES", "2"))
