"""The fake AWS: moto's server in a thread, Step Functions executing definitions, DynamoDB serialized."""

from __future__ import annotations

import functools
import os
import threading

import requests
from moto.server import ThreadedMotoServer

# moto's DynamoDB backend is not atomic under concurrent requests (two conditional writes can both pass).
# Real DynamoDB serializes writes per item; one lock over the backend's operations gives the same outcome.
_DYNAMODB_OPERATIONS = (
    "put_item", "update_item", "delete_item", "get_item", "query", "scan",
    "transact_write_items", "transact_get_items", "batch_write_item", "batch_get_item",
)  # fmt: skip
_dynamodb_lock = threading.RLock()
_serialized = False


def serialize_dynamodb() -> None:
    global _serialized
    if _serialized:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in _DYNAMODB_OPERATIONS:
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def locked(self, *args, __original=original, **kwargs):
            with _dynamodb_lock:
                return __original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, locked)
    _serialized = True


class FakeAws:
    def __init__(self, port: int) -> None:
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)

    def start(self) -> None:
        # The Step Functions engine calls Lambda back through this port.
        os.environ["MOTO_PORT"] = str(self.port)
        serialize_dynamodb()
        self._server.start()
        self.configure()

    def configure(self) -> None:
        response = requests.post(
            f"{self.endpoint}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}},
            timeout=5,
        )
        response.raise_for_status()

    def reset(self) -> None:
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        self.configure()

    def stop(self) -> None:
        self._server.stop()
