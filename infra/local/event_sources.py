"""Lambda's SQS event source mappings (AWS::Lambda::EventSourceMapping in the translated template), run
as the Lambda service runs them, since moto's own does not invoke our in-process handlers:

- pollers long-poll the queue with the function's execution role (which SAM gave the receive and delete
  permissions) and hand each batch to the function, several batches at once (Lambda scales a FIFO queue
  by its message groups; SQS itself keeps a group's messages back while one of them is in flight);
- a batch whose invocation fails is left alone: its messages come back after the queue's visibility
  timeout, and after the redrive policy's maxReceiveCount they go to the dead-letter queue;
- with ReportBatchItemFailures, the messages the function names in `batchItemFailures` stay, the rest are
  deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import boto3

from infra.local import aws, sandbox
from infra.local.lambdas import FunctionError, LambdaDispatcher
from infra.local.template import REGION, Resolver

log = logging.getLogger(__name__)
POLLERS_PER_MAPPING = 8


@dataclass(frozen=True)
class SqsMapping:
    function: str
    queue_arn: str
    batch_size: int
    report_failures: bool

    @property
    def queue_url(self) -> str:
        *_, account, name = self.queue_arn.split(":")
        return f"https://sqs.{REGION}.amazonaws.com/{account}/{name}"


def sqs_mappings(resolver: Resolver) -> list[SqsMapping]:
    mappings = []
    for resource in resolver.of_type("AWS::Lambda::EventSourceMapping").values():
        props = resolver.resolve(resource["Properties"])
        if ":sqs:" not in props["EventSourceArn"]:
            continue
        mappings.append(
            SqsMapping(
                function=props["FunctionName"],
                queue_arn=props["EventSourceArn"],
                batch_size=int(props.get("BatchSize", 10)),
                report_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
            )
        )
    return mappings


def sqs_event(mapping: SqsMapping, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda hands the function: one record per message, its system attributes included."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": mapping.queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


class EventSources:
    def __init__(self, resolver: Resolver, dispatcher: LambdaDispatcher) -> None:
        self.mappings = sqs_mappings(resolver)
        self.dispatcher = dispatcher
        self._running = threading.Event()
        self._paused = False
        self._busy = 0  # pollers between a receive and the end of its batch's invocation
        self._idle = threading.Condition()
        self._threads: list[threading.Thread] = []
        self.batches = 0  # batches handed to functions (tests wait on this, not on time)

    def start(self) -> None:
        self._running.set()
        for mapping in self.mappings:
            for n in range(POLLERS_PER_MAPPING):
                thread = threading.Thread(
                    target=self._poll, args=(mapping,), name=f"esm-{mapping.function}-{n}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        self._running.clear()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    @contextlib.contextmanager
    def paused(self, timeout: float = 120.0):
        """No batch received, and every batch already received handled, for as long as this lasts (a stack
        reset: nothing of the previous test's traffic may write into the next test's tables)."""
        with self._idle:
            self._paused = True
            if not self._idle.wait_for(lambda: self._busy == 0, timeout=timeout):
                log.warning("event sources still busy after %.0f s; resetting anyway", timeout)
        try:
            yield
        finally:
            with self._idle:
                self._paused = False

    def _take_turn(self) -> bool:
        with self._idle:
            if self._paused:
                return False
            self._busy += 1
            return True

    def _end_turn(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def _poll(self, mapping: SqsMapping) -> None:
        role = self.dispatcher.specs[mapping.function].role
        sqs = boto3.client("sqs", region_name=REGION)
        while self._running.is_set():
            if not self._take_turn():
                time.sleep(0.05)
                continue
            try:
                received = self._poll_once(mapping, role, sqs)
            finally:
                self._end_turn()
            if not received:
                with aws.arrivals:  # until a message arrives (or one comes back after its visibility timeout)
                    aws.arrivals.wait(timeout=0.5)

    def _poll_once(self, mapping: SqsMapping, role: str, sqs: Any) -> bool:
        """One receive and, if it brought messages, their invocation; whether it did."""
        try:
            with sandbox.acting_as(sandbox.Principal(role, "lambda-event-source")):
                batch = sqs.receive_message(
                    QueueUrl=mapping.queue_url,
                    MaxNumberOfMessages=mapping.batch_size,
                    WaitTimeSeconds=0,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
        except Exception:  # the queue is being re-created (a stack reset), or the stack stops
            time.sleep(0.2)
            return False
        if batch:
            self._deliver(mapping, role, sqs, batch)
        return bool(batch)

    def _deliver(self, mapping: SqsMapping, role: str, sqs: Any, batch: list[dict]) -> None:
        try:
            result = self.dispatcher.invoke(mapping.function, sqs_event(mapping, batch))
        except FunctionError as error:
            log.info(
                "batch failed on %s (%s): the queue delivers it again", mapping.function, error.error_type
            )
            return
        finally:
            self.batches += 1
        failed = set()
        if mapping.report_failures and isinstance(result, dict):
            failed = {f.get("itemIdentifier") for f in result.get("batchItemFailures") or []}
        done = [m for m in batch if m["MessageId"] not in failed]
        if done:
            with sandbox.acting_as(sandbox.Principal(role, "lambda-event-source")):
                sqs.delete_message_batch(
                    QueueUrl=mapping.queue_url,
                    Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)],
                )
