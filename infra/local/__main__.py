"""`make run`: the local stack in the foreground until Ctrl-C / SIGTERM."""

from __future__ import annotations

import os
import signal
import sys
import threading


def main() -> int:
    api_port = int(os.environ.get("API_PORT", "3000"))
    aws_port = int(os.environ.get("AWS_PORT", "5000"))
    from infra.local.stack import LocalStack  # sets the environment before liveagent is imported

    stack = LocalStack(api_port=api_port, aws_port=aws_port)
    try:
        stack.start()
    except OSError as exc:
        print(
            f"error: cannot start the local stack ({exc}); is port {api_port} or {aws_port} in use?",
            file=sys.stderr,
        )
        return 1
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    from infra.local.provision import local_meta_secrets
    from infra.local.seed import DEMO_PASSWORD

    meta = local_meta_secrets()  # what the webhook checks, overrides included
    lines = [
        "Live Agent Escalation local stack is up.",
        f"  API + dashboard: {stack.api_url}/   (health: {stack.api_url}/health)",
        f"  Webhook:         {stack.api_url}/webhook",
        f"                   app secret '{meta['app_secret']}', verify token '{meta['verify_token']}'",
        f"  Fake AWS (moto): {stack.aws_url}",
        f"  Outbox:          {stack.api_url}/local/outbox",
        f"  Demo logins (password {DEMO_PASSWORD}): {', '.join(stack.users)}",
        "Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)
    stopping.wait()
    print("stopping...", flush=True)
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
