"""Live Agent Escalation: the domain package shared by every Lambda function (the shared layer)."""
