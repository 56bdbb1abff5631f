"""What AWS authorizes for each API call our code makes: the IAM action(s) and the resource ARN(s).

From the Service Authorization Reference and each service's IAM guide: DynamoDB authorizes a Query on an
index against the index's ARN and each item of a transaction as its own action (Put -> PutItem, Update ->
UpdateItem, Delete -> DeleteItem, ConditionCheck -> ConditionCheckItem, Get -> GetItem); Step Functions
authorizes SendTaskSuccess/Failure/Heartbeat against the state machine whose execution issued the token;
SES authorizes a send against the sender's identity and, in the sandbox, against each recipient's
identity too; SNS publishing to a phone number and Comprehend's detection calls have no resource ARN
("*"). A call this table does not know is refused loudly: nothing is allowed by omission.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from infra.local.iam import Request
from infra.local.template import ACCOUNT, REGION


class UnmappedCall(RuntimeError):
    """The local IAM does not know what this call needs: add it here rather than let it through."""


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def table_arn(name_or_arn: str) -> str:
    return name_or_arn if name_or_arn.startswith("arn:") else _arn("dynamodb", f"table/{name_or_arn}")


# ------------------------------------------------------------------------------------------ DynamoDB
_TRANSACT_WRITE = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                   "ConditionCheck": "ConditionCheckItem"}  # fmt: skip


def _dynamodb(operation: str, params: Mapping[str, Any]) -> list[Request]:
    context = {"dynamodb:EnclosingOperation": operation} if operation.startswith("Transact") else {}
    if operation == "TransactWriteItems":
        requests = []
        for item in params.get("TransactItems", []):
            (kind, body), *_ = item.items()
            requests.append(
                Request(f"dynamodb:{_TRANSACT_WRITE[kind]}", table_arn(body["TableName"]), context)
            )
        return requests
    if operation == "TransactGetItems":
        return [
            Request("dynamodb:GetItem", table_arn(item["Get"]["TableName"]), context)
            for item in params.get("TransactItems", [])
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Request(f"dynamodb:{operation}", table_arn(name)) for name in params.get("RequestItems", {})]
    if operation in ("Query", "Scan") and params.get("IndexName"):
        return [
            Request(f"dynamodb:{operation}", f"{table_arn(params['TableName'])}/index/{params['IndexName']}")
        ]
    if "TableName" in params:
        return [Request(f"dynamodb:{operation}", table_arn(params["TableName"]))]
    raise UnmappedCall(f"dynamodb:{operation}")


# ------------------------------------------------------------------------------------------ Step Functions
def _states(operation: str, params: Mapping[str, Any]) -> list[Request]:
    if operation in ("StartExecution", "StartSyncExecution", "ListExecutions", "DescribeStateMachine"):
        return [Request(f"states:{operation}", params["stateMachineArn"])]
    if operation in ("DescribeExecution", "StopExecution", "GetExecutionHistory"):
        return [Request(f"states:{operation}", params["executionArn"])]
    if operation in ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"):
        return [Request(f"states:{operation}", state_machine_of_token(params["taskToken"]))]
    raise UnmappedCall(f"states:{operation}")


def state_machine_of_token(token: str) -> str:
    """The state machine whose execution is waiting on (or waited on) this task token; "*" when no
    execution knows it (AWS then answers InvalidToken)."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    for machine in list(stepfunctions_parser_backends[ACCOUNT][REGION].state_machines):
        for execution in list(machine.executions):
            env = getattr(getattr(execution, "exec_worker", None), "env", None)
            if env is not None and env.callback_pool_manager.get(token) is not None:
                return machine.arn
    return "*"


# ------------------------------------------------------------------------------------------ SES / SNS / SQS
def ses_identity_arn(address: str) -> str:
    """The identity SES sends as: the address itself when verified, else its verified domain."""
    from moto.ses.models import ses_backends

    identities = ses_backends[ACCOUNT][REGION].email_identities
    domain = address.rpartition("@")[2]
    name = address if address in identities or domain not in identities else domain
    return _arn("ses", f"identity/{name}")


def _ses(operation: str, params: Mapping[str, Any]) -> list[Request]:
    if operation in ("GetIdentityVerificationAttributes", "ListIdentities", "GetSendQuota"):
        return [Request(f"ses:{operation}", "*")]
    if operation in ("SendEmail", "SendRawEmail", "SendTemplatedEmail"):
        source = params.get("Source", "")
        address = source.rpartition("<")[2].rstrip(">") if "<" in source else source
        destination = params.get("Destination", {})
        recipients = [
            *destination.get("ToAddresses", []),
            *destination.get("CcAddresses", []),
            *destination.get("BccAddresses", []),
            *params.get("Destinations", []),
        ]
        context = {"ses:FromAddress": address, "ses:Recipients": recipients}
        action = f"ses:{operation}"
        # The local stack is an account in the SES sandbox, as every new account is.
        identities = [ses_identity_arn(address), *(ses_identity_arn(r) for r in recipients)]
        return [Request(action, arn, context) for arn in dict.fromkeys(identities)]
    raise UnmappedCall(f"ses:{operation}")


def _sns(operation: str, params: Mapping[str, Any]) -> list[Request]:
    if operation == "Publish":
        target = params.get("TopicArn") or params.get("TargetArn")
        return [Request("sns:Publish", target or "*")]  # a phone number has no ARN
    if operation in ("Subscribe", "ListSubscriptionsByTopic", "GetTopicAttributes"):
        return [Request(f"sns:{operation}", params["TopicArn"])]
    raise UnmappedCall(f"sns:{operation}")


def queue_arn(url: str) -> str:
    *_, account, name = url.rstrip("/").split("/")
    return f"arn:aws:sqs:{REGION}:{account}:{name}"


def _sqs(operation: str, params: Mapping[str, Any]) -> list[Request]:
    if "QueueUrl" in params:
        action = "SendMessage" if operation == "SendMessageBatch" else operation
        action = "DeleteMessage" if operation == "DeleteMessageBatch" else action
        action = "ChangeMessageVisibility" if operation == "ChangeMessageVisibilityBatch" else action
        return [Request(f"sqs:{action}", queue_arn(params["QueueUrl"]))]
    if operation == "GetQueueUrl":
        owner = params.get("QueueOwnerAWSAccountId") or ACCOUNT
        return [Request("sqs:GetQueueUrl", f"arn:aws:sqs:{REGION}:{owner}:{params['QueueName']}")]
    raise UnmappedCall(f"sqs:{operation}")


# ------------------------------------------------------------------------------------------ the rest
def secret_arn(secret_id: str) -> str:
    """Secrets are authorized by their full ARN (name + 6 random characters)."""
    from moto.secretsmanager.models import secretsmanager_backends

    secrets = secretsmanager_backends[ACCOUNT][REGION].secrets
    if secret_id in secrets:
        return secrets[secret_id].arn
    return secret_id if secret_id.startswith("arn:") else _arn("secretsmanager", f"secret:{secret_id}")


def _secretsmanager(operation: str, params: Mapping[str, Any]) -> list[Request]:
    if "SecretId" in params:
        return [Request(f"secretsmanager:{operation}", secret_arn(params["SecretId"]))]
    raise UnmappedCall(f"secretsmanager:{operation}")


def function_arn(name_or_arn: str) -> str:
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    return _arn("lambda", f"function:{name_or_arn}")


def _lambda(operation: str, params: Mapping[str, Any]) -> list[Request]:
    if operation == "Invoke":
        return [Request("lambda:InvokeFunction", function_arn(params["FunctionName"]))]
    raise UnmappedCall(f"lambda:{operation}")


def _comprehend(operation: str, params: Mapping[str, Any]) -> list[Request]:
    if operation.startswith(("Detect", "BatchDetect")):
        return [Request(f"comprehend:{operation}", "*")]
    raise UnmappedCall(f"comprehend:{operation}")


def _bedrock_runtime(operation: str, params: Mapping[str, Any]) -> list[Request]:
    if operation == "InvokeModel":
        return [
            Request("bedrock:InvokeModel", f"arn:aws:bedrock:{REGION}::foundation-model/{params['modelId']}")
        ]
    raise UnmappedCall(f"bedrock-runtime:{operation}")


def _cognito(operation: str, params: Mapping[str, Any]) -> list[Request]:
    if "UserPoolId" in params:
        return [Request(f"cognito-idp:{operation}", _arn("cognito-idp", f"userpool/{params['UserPoolId']}"))]
    raise UnmappedCall(f"cognito-idp:{operation}")


def _kms(operation: str, params: Mapping[str, Any]) -> list[Request]:
    if "KeyId" in params:
        key = params["KeyId"]
        return [Request(f"kms:{operation}", key if key.startswith("arn:") else _arn("kms", f"key/{key}"))]
    raise UnmappedCall(f"kms:{operation}")


_SERVICES: dict[str, Callable[[str, Mapping[str, Any]], list[Request]]] = {
    "dynamodb": _dynamodb,
    "states": _states,
    "ses": _ses,
    "sns": _sns,
    "sqs": _sqs,
    "secretsmanager": _secretsmanager,
    "lambda": _lambda,
    "comprehend": _comprehend,
    "bedrock-runtime": _bedrock_runtime,
    "cognito-idp": _cognito,
    "kms": _kms,
}


def requests_for(service: str, operation: str, params: Mapping[str, Any]) -> list[Request]:
    """service: the IAM prefix (botocore's signing name); operation: the API operation name."""
    mapper = _SERVICES.get(service)
    if mapper is None:
        raise UnmappedCall(f"{service}:{operation}")
    return mapper(operation, params)
