"""Creates on the fake AWS every resource template.yaml declares, from its own properties."""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass

import boto3

from infra.local.template import REGION, ROOT, Resolver

_TABLE_KEYS = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "BillingMode",
)


@dataclass
class Provisioned:
    user_pool_id: str
    user_pool_client_id: str
    sender_email: str
    meta_secret_name: str


def client(service: str, endpoint: str):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


def _tables(resolver: Resolver, endpoint: str) -> None:
    dynamodb = client("dynamodb", endpoint)
    for logical_id, resource in resolver.of_type("AWS::DynamoDB::Table").items():
        props = resolver.resolve(resource["Properties"])
        name = resolver.physical_name(logical_id)
        dynamodb.create_table(TableName=name, **{k: props[k] for k in _TABLE_KEYS if k in props})
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)


def _functions(resolver: Resolver, endpoint: str) -> str:
    role = client("iam", endpoint).create_role(RoleName="lae-local", AssumeRolePolicyDocument="{}")["Role"][
        "Arn"
    ]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("README.txt", "Invocations are dispatched in-process to the handlers in functions/.")
    lambda_ = client("lambda", endpoint)
    for logical_id, resource in resolver.of_type("AWS::Serverless::Function").items():
        props = resource["Properties"]
        lambda_.create_function(
            FunctionName=resolver.physical_name(logical_id),
            Runtime="python3.12",
            Role=role,
            Handler=props["Handler"],
            Code={"ZipFile": archive.getvalue()},
        )
    return role


def _state_machines(resolver: Resolver, endpoint: str, role: str) -> None:
    sfn = client("stepfunctions", endpoint)
    for logical_id, resource in resolver.of_type("AWS::Serverless::StateMachine").items():
        props = resource["Properties"]
        definition = (ROOT / props["DefinitionUri"]).read_text()
        for key, value in resolver.resolve(props.get("DefinitionSubstitutions", {})).items():
            definition = definition.replace("${" + key + "}", value)
        sfn.create_state_machine(
            name=resolver.physical_name(logical_id),
            definition=definition,
            roleArn=role,
            type=props.get("Type", "STANDARD"),
        )


def _user_pool(resolver: Resolver, endpoint: str) -> tuple[str, str]:
    cognito = client("cognito-idp", endpoint)
    (_, pool), *_ = resolver.of_type("AWS::Cognito::UserPool").items()
    props = resolver.resolve(pool["Properties"])
    pool_id = cognito.create_user_pool(
        PoolName=props["UserPoolName"],
        Policies=props["Policies"],
        Schema=props["Schema"],
        AdminCreateUserConfig=props["AdminCreateUserConfig"],
        AutoVerifiedAttributes=props.get("AutoVerifiedAttributes", []),
    )["UserPool"]["Id"]
    client_id = ""
    for resource in resolver.of_type("AWS::Cognito::UserPoolClient").values():
        props = resolver.resolve(resource["Properties"])
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=props["ClientName"],
            GenerateSecret=props.get("GenerateSecret", False),
            ExplicitAuthFlows=props["ExplicitAuthFlows"],
        )["UserPoolClient"]["ClientId"]
    for resource in resolver.of_type("AWS::Cognito::UserPoolGroup").values():
        props = resource["Properties"]
        cognito.create_group(
            UserPoolId=pool_id, GroupName=props["GroupName"], Description=props.get("Description", "")
        )
    return pool_id, client_id


def provision(resolver: Resolver, endpoint: str) -> Provisioned:
    _tables(resolver, endpoint)
    role = _functions(resolver, endpoint)
    _state_machines(resolver, endpoint, role)
    for logical_id in resolver.of_type("AWS::SNS::Topic"):
        client("sns", endpoint).create_topic(Name=resolver.physical_name(logical_id))
    for logical_id in resolver.of_type("AWS::SQS::Queue"):
        client("sqs", endpoint).create_queue(QueueName=resolver.physical_name(logical_id))
    sender = resolver.parameters["SenderEmail"]
    client("ses", endpoint).verify_email_identity(EmailAddress=sender)
    (_, secret), *_ = resolver.of_type("AWS::SecretsManager::Secret").items()
    secret_name = resolver.resolve(secret["Properties"]["Name"])
    client("secretsmanager", endpoint).create_secret(
        Name=secret_name,
        SecretString=json.dumps(
            {
                "app_secret": os.environ.get("META_APP_SECRET", "local-app-secret"),
                "instagram_app_secret": os.environ.get("META_INSTAGRAM_APP_SECRET", ""),
                "verify_token": os.environ.get("META_VERIFY_TOKEN", "local-verify-token"),
            }
        ),
    )
    pool_id, client_id = _user_pool(resolver, endpoint)
    return Provisioned(pool_id, client_id, sender, secret_name)
