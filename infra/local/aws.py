"""The fake AWS: moto's server in a thread, Step Functions executing definitions, DynamoDB serialized."""

from __future__ import annotations

import copy
import functools
import os
import pickle
import threading
import uuid

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


_sqs_lock = threading.RLock()
DEDUPLICATION_SECONDS = 300  # SQS FIFO: a deduplication id is remembered 5 minutes, delivered or not
arrivals = threading.Condition()  # notified whenever a message is added to any queue (the local pollers)


def serialize_sqs() -> None:
    """moto's SQS is not atomic under concurrent requests: two receives at once can each take a message
    of the same FIFO group (SQS hands out one group's messages to one consumer at a time), and its
    deduplication forgets an id as soon as the message is deleted (SQS remembers it 5 minutes). One lock
    around each send, receive, delete and visibility change, and a 5-minute memory of deduplication ids,
    give SQS's behaviour. Receives hold the lock without long-polling: the local pollers short-poll and
    wait on `arrivals` instead."""
    from moto.sqs.models import Queue, SQSBackend

    if getattr(SQSBackend.receive_message, "serialized", False):
        return
    for name in ("send_message", "send_message_batch", "delete_message", "delete_message_batch",
                 "change_message_visibility", "purge_queue"):  # fmt: skip
        original = getattr(SQSBackend, name)

        @functools.wraps(original)
        def locked(self, *args, __original=original, **kwargs):
            with _sqs_lock:
                return __original(self, *args, **kwargs)

        setattr(SQSBackend, name, locked)
    receive = SQSBackend.receive_message

    @functools.wraps(receive)
    def receive_message(self, queue_name, count, wait_seconds_timeout, visibility_timeout, *args, **kwargs):
        with _sqs_lock:
            return receive(self, queue_name, count, 0, visibility_timeout, *args, **kwargs)

    receive_message.serialized = True
    SQSBackend.receive_message = receive_message
    add = Queue.add_message

    @functools.wraps(add)
    def add_message(self, message) -> None:
        if self.fifo_queue and message.deduplication_id:
            seen = self.__dict__.setdefault("_deduplication_ids", {})
            now = message.sent_timestamp / 1000
            for key in [k for k, at in seen.items() if now - at >= DEDUPLICATION_SECONDS]:
                del seen[key]
            if message.deduplication_id in seen:
                return
            seen[message.deduplication_id] = now
        add(_CheapAttributes(self), message)
        with arrivals:
            arrivals.notify_all()

    Queue.add_message = add_message
    validate = SQSBackend._validate_message

    @functools.wraps(validate)
    def validate_message(self, queue, *args, **kwargs):
        return validate(self, _CheapAttributes(queue), *args, **kwargs)

    SQSBackend._validate_message = validate_message


class _CheapAttributes:
    """A queue as moto's send path sees it, whose `attributes` is only the one flag that path reads: moto
    builds every attribute to read it, counting the queue's messages several times per send (the local
    webhook's latency then grew with the queue's length; SQS's does not)."""

    def __init__(self, queue) -> None:
        self.__dict__["_queue"] = queue

    @property
    def attributes(self) -> dict[str, str]:
        flag = getattr(self._queue, "content_based_deduplication", "false")
        return {"ContentBasedDeduplication": str(flag).lower()}

    def __getattr__(self, name: str):
        return getattr(self.__dict__["_queue"], name)

    def __setattr__(self, name: str, value) -> None:
        setattr(self.__dict__["_queue"], name, value)


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


def support_sync_express() -> None:
    """StartSyncExecution, which moto lacks (its parser backend has the synchronous execution class but no
    API for it): a synchronous Express execution runs to its end in the caller's request and answers
    with its status and output, as AWS does. Its endpoint has its own host (sync-states.*), which moto's
    URL tables are taught too."""
    import datetime
    import json
    import re

    from moto import backend_index
    from moto.core.responses import ActionResult
    from moto.stepfunctions import urls
    from moto.stepfunctions.parser.backend.execution import SyncExecution
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    if getattr(StepFunctionsParserBackend, "start_sync_execution", None):
        return
    sync_host = r"https?://sync-states\.(.+)\.amazonaws.com"
    urls.url_bases.append(sync_host)
    backend_index.backend_url_patterns.insert(0, ("stepfunctions", re.compile(sync_host)))

    def start_sync_execution(self, state_machine_arn: str, name: str | None, execution_input: str | None):
        machine = self.describe_state_machine(state_machine_arn)
        if machine.type != "EXPRESS":
            from moto.stepfunctions.parser.api import StateMachineTypeNotSupported

            raise StateMachineTypeNotSupported(
                "This operation is not supported by this type of state machine"
            )
        clone = copy.deepcopy(machine, {id(machine.executions): [], id(machine.backend): machine.backend})
        exec_name = name or uuid.uuid4().hex
        where = f"arn:{self.partition}:states:{self.region_name}:{self.account_id}"
        arn = f"{where}:express:{machine.name}:{exec_name}:{uuid.uuid4()}"
        execution = SyncExecution(
            name=exec_name, sm_type=clone.sm_type, role_arn=clone.roleArn, exec_arn=arn,
            account_id=self.account_id, region_name=self.region_name, state_machine=clone,
            start_date=datetime.datetime.now(tz=datetime.UTC), cloud_watch_logging_session=None,
            input_data=execution_input or "{}", trace_header=None, activity_store={},
        )  # fmt: skip
        machine.executions.append(execution)
        execution.start()  # runs to its end here (SyncExecutionWorker)
        return execution

    def start_sync_execution_response(self) -> ActionResult:
        execution = self.stepfunction_backend.start_sync_execution(
            self._get_param("stateMachineArn"), self._get_param("name"), self._get_param("input")
        )
        answer = {
            "executionArn": execution.exec_arn,
            "stateMachineArn": execution.state_machine.arn,
            "name": execution.name,
            "startDate": execution.start_date,
            "stopDate": execution.stop_date,
            "status": str(
                execution.sync_execution_status.value if execution.sync_execution_status else "FAILED"
            ),
            "input": json.dumps(execution.input_data),
        }
        if answer["status"] == "SUCCEEDED":
            answer["output"] = json.dumps(execution.output)
        for key in ("error", "cause"):
            if getattr(execution, key, None) is not None:
                answer[key] = getattr(execution, key)
        return ActionResult(answer)

    StepFunctionsParserBackend.start_sync_execution = start_sync_execution
    StepFunctionResponse.start_sync_execution = start_sync_execution_response
    refuse_express_listing()


def support_revoke_token() -> None:
    """Cognito's RevokeToken, which moto lacks: the dashboard revokes its refresh token on log out, and
    a revoked token must refuse REFRESH_TOKEN_AUTH afterwards as in AWS (moto's own record of a refresh
    token, set to None, is what its InitiateAuth already reads as "revoked"). A token of another client
    is refused, as AWS does; an unknown one is accepted (AWS answers 200 for tokens it no longer has)."""
    from moto.cognitoidp.exceptions import NotAuthorizedError
    from moto.cognitoidp.models import CognitoIdpBackend
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import EmptyResult

    if getattr(CognitoIdpBackend, "revoke_token", None):
        return

    def revoke_token(self, token: str, client_id: str) -> None:
        for pool in self.user_pools.values():
            record = pool.refresh_tokens.get(token)
            if record is None:
                continue
            if record[0] != client_id:
                raise NotAuthorizedError("the token was not issued to this client")
            pool.refresh_tokens[token] = None
            return

    def revoke_token_response(self):
        self.backend.revoke_token(self._get_param("Token"), self._get_param("ClientId"))
        return EmptyResult()

    CognitoIdpBackend.revoke_token = revoke_token
    CognitoIdpResponse.revoke_token = revoke_token_response


def refuse_express_listing() -> None:
    """AWS keeps no queryable record of Express executions (their history goes to CloudWatch Logs):
    ListExecutions, DescribeExecution and GetExecutionHistory refuse them. moto answers; the local stack
    refuses too, so nothing comes to rely on what production cannot give."""
    from moto.stepfunctions.exceptions import AWSError
    from moto.stepfunctions.responses import StepFunctionResponse

    class StateMachineTypeNotSupported(AWSError):
        TYPE = "StateMachineTypeNotSupported"
        STATUS = 400

    def refusing(name: str, arn_param: str):
        original = getattr(StepFunctionResponse, name)

        def handler(self):
            arn = self._get_param(arn_param) or ""
            express = ":express:" in arn
            if not express and name == "list_executions" and arn:
                express = self.stepfunction_backend.describe_state_machine(arn).type == "EXPRESS"
            if express:
                raise StateMachineTypeNotSupported(
                    "This operation is not supported by this type of state machine"
                )
            return original(self)

        setattr(StepFunctionResponse, name, handler)

    refusing("list_executions", "stateMachineArn")
    refusing("describe_execution", "executionArn")
    refusing("get_execution_history", "executionArn")


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
        # Authenticator codes are checked as Cognito checks them (moto accepts any code otherwise).
        os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
        support_sync_express()
        support_revoke_token()
        serialize_dynamodb()
        serialize_sqs()
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
