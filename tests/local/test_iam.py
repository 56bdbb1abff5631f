"""The local stack's IAM: policies evaluated as AWS documents it, and every function held to its own."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local import sandbox
from infra.local.authorization import UnmappedCall, requests_for
from infra.local.iam import PolicySet, Request, UnsupportedPolicy, resource_matches
from tests.conftest import Client

ACCOUNT = "123456789012"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/TicketsTable"


def policy(*statements: dict) -> PolicySet:
    return PolicySet.from_documents(
        "arn:aws:sts::1:assumed-role/R/S", [("P", {"Statement": list(statements)})]
    )


def allowed(policies: PolicySet, action: str, resource: str, **context: object) -> bool:
    return policies.decide(Request(action, resource, context)).allowed


def test_allow_needs_action_and_resource_to_match_and_nothing_else_is_allowed() -> None:
    p = policy({"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": TABLE})
    assert allowed(p, "dynamodb:GetItem", TABLE)
    assert allowed(p, "DynamoDB:getitem", TABLE)  # actions are case-insensitive
    assert not allowed(p, "dynamodb:UpdateItem", TABLE)  # implicit deny
    assert not allowed(p, "dynamodb:GetItem", TABLE.replace("TicketsTable", "AuditTable"))
    assert not allowed(p, "dynamodb:Query", f"{TABLE}/index/by_status")  # an index is its own resource


def test_wildcards_in_actions_and_resources() -> None:
    p = policy({"Effect": "Allow", "Action": "dynamodb:Get*", "Resource": [f"{TABLE}/index/*"]},
               {"Effect": "Allow", "Action": "sqs:SendMessage*", "Resource": "arn:aws:sqs:*:*:Failed?ork*"})  # fmt: skip
    assert allowed(p, "dynamodb:GetItem", f"{TABLE}/index/by_status")
    assert not allowed(p, "dynamodb:GetItem", TABLE)
    assert allowed(p, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:FailedWorkQueue")
    assert not allowed(p, "sqs:ReceiveMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:FailedWorkQueue")
    # An ARN pattern is matched segment by segment: the service segment cannot be stretched.
    assert not resource_matches("arn:aws:sqs:*", f"arn:aws:sns:us-east-1:{ACCOUNT}:x")


def test_an_explicit_deny_wins_over_any_allow() -> None:
    p = policy({"Effect": "Allow", "Action": "sns:*", "Resource": "*"},
               {"Effect": "Deny", "Action": "sns:Publish", "Resource": "arn:aws:sns:*:*:*"})  # fmt: skip
    assert allowed(p, "sns:Publish", "*")  # an SMS has no ARN
    decision = p.decide(Request("sns:Publish", f"arn:aws:sns:us-east-1:{ACCOUNT}:AlertsTopic"))
    assert not decision.allowed and decision.explicit_deny
    assert "explicit deny" in p.denial_message(Request("sns:Publish", "arn:aws:sns:x:y:z"), decision)


def test_not_resource_and_not_action() -> None:
    sms_only = policy({"Effect": "Allow", "Action": "sns:Publish", "NotResource": "arn:aws:sns:*:*:*"})
    assert allowed(sms_only, "sns:Publish", "*")
    assert not allowed(sms_only, "sns:Publish", f"arn:aws:sns:us-east-1:{ACCOUNT}:AlertsTopic")
    all_but_delete = policy({"Effect": "Allow", "NotAction": "dynamodb:Delete*", "Resource": TABLE})
    assert allowed(all_but_delete, "dynamodb:PutItem", TABLE)
    assert not allowed(all_but_delete, "dynamodb:DeleteItem", TABLE)


def test_conditions_on_request_keys() -> None:
    p = policy({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
                "Condition": {"StringEquals": {"ses:FromAddress": "alerts@x.com"}}})  # fmt: skip
    assert allowed(p, "ses:SendEmail", "*", **{"ses:FromAddress": "alerts@x.com"})
    assert not allowed(p, "ses:SendEmail", "*", **{"ses:FromAddress": "ceo@x.com"})
    assert not allowed(p, "ses:SendEmail", "*")  # a missing key fails the condition
    lenient = policy({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
                      "Condition": {"StringEqualsIfExists": {"ses:FromAddress": "alerts@x.com"}}})  # fmt: skip
    assert allowed(lenient, "ses:SendEmail", "*")
    every = policy({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*",
                    "Condition": {"ForAllValues:StringLike": {"ses:Recipients": ["*@x.com"]}}})  # fmt: skip
    assert allowed(every, "ses:SendEmail", "*", **{"ses:Recipients": ["a@x.com", "b@x.com"]})
    assert not allowed(every, "ses:SendEmail", "*", **{"ses:Recipients": ["a@x.com", "b@y.com"]})


def test_what_the_evaluator_cannot_decide_is_refused_not_allowed() -> None:
    with pytest.raises(UnsupportedPolicy):
        policy(
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": "1"}},
            }
        )
    with pytest.raises(UnsupportedPolicy):
        policy({"Effect": "Allow", "Action": "s3:*", "Resource": {"Ref": "Unresolved"}})
    with pytest.raises(UnmappedCall):
        requests_for("ec2", "RunInstances", {})


def test_calls_map_to_what_aws_authorizes() -> None:
    transaction = requests_for("dynamodb", "TransactWriteItems", {"TransactItems": [
        {"Update": {"TableName": "TicketsTable", "Key": {}}},
        {"ConditionCheck": {"TableName": "AgentsTable", "Key": {}}},
        {"Put": {"TableName": "AuditTable", "Item": {}}},
    ]})  # fmt: skip
    assert [(r.action, r.resource.rsplit("/", 1)[-1]) for r in transaction] == [
        ("dynamodb:UpdateItem", "TicketsTable"),
        ("dynamodb:ConditionCheckItem", "AgentsTable"),
        ("dynamodb:PutItem", "AuditTable"),
    ]
    (query,) = requests_for("dynamodb", "Query", {"TableName": "TicketsTable", "IndexName": "by_status"})
    assert query.resource == f"{TABLE}/index/by_status"
    (sms,) = requests_for("sns", "Publish", {"PhoneNumber": "+15550001", "Message": "m"})
    assert sms.resource == "*"
    (send,) = requests_for(
        "sqs", "SendMessage", {"QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/Q"}
    )
    assert send.resource == f"arn:aws:sqs:us-east-1:{ACCOUNT}:Q"


def test_a_function_calling_outside_its_policy_is_refused_as_aws_refuses(client: Client) -> None:
    """The detect function may read the knowledge base but not the audit log, nor write it."""
    invocation = sandbox.Invocation("DetectFunction", "test-request", 30.0, "DetectFunctionRole")
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    before = len(client.stack.enforcement.denials)
    with sandbox.acting_as(sandbox.Principal("DetectFunctionRole", "DetectFunction", invocation)):
        dynamodb.query(TableName="KnowledgeTable", KeyConditionExpression="tenant_id = :t",
                       ExpressionAttributeValues={":t": {"S": "demo"}})  # fmt: skip
        with pytest.raises(ClientError) as refused:
            dynamodb.scan(TableName="AuditTable")
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/DetectFunctionRole/DetectFunction is not authorized to "
        f"perform: dynamodb:Scan on resource: arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/AuditTable because no "
        "identity-based policy allows the dynamodb:Scan action"
    )
    assert client.stack.enforcement.denials[before:] == [
        {"role": "DetectFunctionRole", "action": "dynamodb:Scan", "resource": f"{TABLE[:-12]}AuditTable"}
    ]
    client.stack.enforcement.denials[before:] = []  # provoked on purpose


def test_a_workflow_runs_with_its_state_machine_role(client: Client) -> None:
    """The message workflow's role may invoke its three functions and nothing else."""
    lambda_ = boto3.client("lambda", region_name="us-east-1")
    before = len(client.stack.enforcement.denials)
    with (
        sandbox.acting_as(sandbox.Principal("MessageWorkflowRole", "exec-1")),
        pytest.raises(ClientError) as refused,
    ):
        lambda_.invoke(FunctionName="ApiFunction", Payload=b"{}")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "lambda:InvokeFunction" in refused.value.response["Error"]["Message"]
    client.stack.enforcement.denials[before:] = []  # provoked on purpose
