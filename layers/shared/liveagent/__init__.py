"""Live Agent Escalation: the domain package shared by every Lambda function (the shared layer).

Imports nothing itself: the webhook, whose cold start is budgeted tightest, takes only what it uses. Every
module that defines a table model imports `liveagent.storage` (one botocore session per thread)."""
