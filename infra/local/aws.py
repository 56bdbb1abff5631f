"""The fake AWS: moto's server in a thread, Step Functions executing definitions, DynamoDB serialized."""

from __future__ import annotations

import functools
import os
import pickle
import threading

import requests
from moto import mock_aws
from moto.server import ThreadedMotoServer

# moto's DynamoDB is not atomic under concurrent requests: two conditional writes can both pass, and a
# response serializes the live item after the backend returns it, so a concurrent update of the same item
# can change it mid-serialization ("dictionary changed size during iteration"). Real DynamoDB serializes
# writes per item; one lock around each whole DynamoDB request (HTTP or in-process) gives the same outcome.
_dynamodb_lock = threading.RLock()


def serialize_dynamodb() -> None:
    from moto.dynamodb.responses import DynamoHandler

    handle = DynamoHandler.call_action
    if getattr(handle, "serialized", False):
        return

    @functools.wraps(handle)
    def locked_request(self, *args, **kwargs):
        with _dynamodb_lock:
            return handle(self, *args, **kwargs)

    locked_request.serialized = True
    DynamoHandler.call_action = locked_request


CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


def share_engine_clients() -> None:
    """moto's Step Functions engine builds a new boto3 client for every Lambda task it runs (several ms
    of botocore model loading each). One shared client per region and service does the same work."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    build = lambda_eval_utils.boto_client_for
    if getattr(build, "shared", False):
        return
    clients: dict[tuple[str, str], object] = {}
    lock = threading.Lock()

    def shared_client(region: str, service: str, state_credentials=None):
        with lock:
            if (region, service) not in clients:
                clients[(region, service)] = build(region, service, state_credentials)
            return clients[(region, service)]

    shared_client.shared = True
    lambda_eval_utils.boto_client_for = shared_client


def parse_definitions_once() -> None:
    """moto parses a state machine's definition with ANTLR for every execution it starts (~90 ms of pure
    Python for the escalation workflow, the largest single cost of an escalation locally). Parse each
    definition once and give every execution its own copy of the result (evaluation keeps state in the
    components, e.g. retry counters, so executions must not share one): unpickling takes ~1.5 ms."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    original = ExecutionWorker._get_evaluation_entrypoint
    if getattr(original, "parsed_once", False):
        return
    parsed: dict[str, bytes] = {}
    lock = threading.Lock()

    def evaluation_entrypoint(self):
        definition = self._evaluation_details.state_machine_details.definition
        with lock:
            if definition not in parsed:
                parsed[definition] = pickle.dumps(AmazonStateLanguageParser.parse(definition)[0])
            program = parsed[definition]
        return pickle.loads(program)  # noqa: S301 (our own bytes, from this process)

    evaluation_entrypoint.parsed_once = True
    ExecutionWorker._get_evaluation_entrypoint = evaluation_entrypoint


class FakeAws:
    """moto's server for clients outside this process (dashboard, curl, tests), and moto's in-process
    interception for the handlers inside it: both serve the same backends, but in-process calls skip
    HTTP entirely (one Python process serves the whole stack, so every avoided round trip counts)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self._in_process = mock_aws(config=CONFIG)

    def start(self) -> None:
        os.environ["MOTO_PORT"] = str(self.port)
        serialize_dynamodb()
        share_engine_clients()
        parse_definitions_once()
        self._in_process.start()
        self._server.start()
        self.configure()

    def configure(self) -> None:
        response = requests.post(f"{self.endpoint}/moto-api/config", json=CONFIG, timeout=5)
        response.raise_for_status()

    def reset(self) -> None:
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        self.configure()

    def stop(self) -> None:
        self._server.stop()
        self._in_process.stop()
