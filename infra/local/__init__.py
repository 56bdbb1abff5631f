"""The local stack: the same handlers and state machines as AWS, on moto, on one machine (make run)."""
