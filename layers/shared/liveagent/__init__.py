"""Live Agent Escalation: the domain package shared by every Lambda function (the shared layer)."""

from liveagent import storage as _storage  # noqa: F401  (every table model shares one botocore session)
