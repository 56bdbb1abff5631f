"""The inbound queue's consumer: each conversation's next Meta item (SQS FIFO, one at a time per group).

Powertools' FIFO batch processor stops at the first item that fails and reports it and every item after it
as failed, so none of a conversation's later items overtakes one that must be delivered again.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from liveagent import runtime
from liveagent.channels import inbound
from liveagent.observability import logger, metrics, tracer

processor = SqsFifoPartialProcessor()


def record_handler(record: SQSRecord) -> dict[str, int]:
    counts = inbound.handle_item(record.body)
    logger.info("item handled", extra={"counts": counts, "group": record.attributes.message_group_id})
    return counts


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    runtime.start(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
