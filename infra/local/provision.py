"""Creates on the fake AWS every resource the translated template declares that the local stack runs:
tables, IAM roles (with the policies SAM generated), functions, state machines, topics, queues, the SES
sender, the Meta secret and the Cognito pool, from their own properties."""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass

import boto3

from infra.local.roles import Role, role_of, template_roles
from infra.local.template import REGION, Resolver, local_path

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
    roles: dict[str, Role]
    state_machine_roles: dict[str, str]  # state machine ARN -> its role's logical id


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


def _roles(resolver: Resolver, endpoint: str) -> dict[str, Role]:
    iam = client("iam", endpoint)
    roles = template_roles(resolver)
    for logical_id, role in roles.items():
        trust = resolver.resolve(resolver.resources[logical_id]["Properties"]["AssumeRolePolicyDocument"])
        iam.create_role(RoleName=role.name, AssumeRolePolicyDocument=json.dumps(trust))
        for policy_name, document in role.inline.items():
            # SAM omits Version (IAM then assumes the current one); moto insists on it.
            versioned = {"Version": "2012-10-17", **document}
            iam.put_role_policy(
                RoleName=role.name, PolicyName=policy_name, PolicyDocument=json.dumps(versioned)
            )
    return roles


def _functions(resolver: Resolver, endpoint: str, roles: dict[str, Role]) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("README.txt", "Invocations are dispatched in-process to the handlers in functions/.")
    lambda_ = client("lambda", endpoint)
    for logical_id, resource in resolver.of_type("AWS::Lambda::Function").items():
        props = resource["Properties"]
        lambda_.create_function(
            FunctionName=resolver.physical_name(logical_id),
            Runtime=props["Runtime"],
            Role=roles[role_of(resolver, logical_id)].arn,
            Handler=props["Handler"],
            Timeout=int(props.get("Timeout", 3)),
            MemorySize=int(props.get("MemorySize", 128)),
            Code={"ZipFile": archive.getvalue()},
        )


def _state_machines(resolver: Resolver, endpoint: str, roles: dict[str, Role]) -> dict[str, str]:
    sfn = client("stepfunctions", endpoint)
    machine_roles = {}
    for logical_id, resource in resolver.of_type("AWS::StepFunctions::StateMachine").items():
        props = resource["Properties"]
        location = props["DefinitionS3Location"]
        definition = local_path(location["Key"]).read_text()
        for key, value in resolver.resolve(props.get("DefinitionSubstitutions", {})).items():
            definition = definition.replace("${" + key + "}", value)
        role = role_of(resolver, logical_id)
        arn = sfn.create_state_machine(
            name=resolver.physical_name(logical_id),
            definition=definition,
            roleArn=roles[role].arn,
            type=props.get("StateMachineType", "STANDARD"),
        )["stateMachineArn"]
        machine_roles[arn] = role
    return machine_roles


def _user_pool(resolver: Resolver, endpoint: str) -> tuple[str, str]:
    cognito = client("cognito-idp", endpoint)
    (pool_logical_id, pool), *_ = resolver.of_type("AWS::Cognito::UserPool").items()
    props = resolver.resolve(pool["Properties"])
    mfa = props.get("MfaConfiguration", "OFF")  # CloudFormation's default
    pool_id = cognito.create_user_pool(
        PoolName=props["UserPoolName"],
        Policies=props["Policies"],
        Schema=props["Schema"],
        AdminCreateUserConfig=props["AdminCreateUserConfig"],
        AutoVerifiedAttributes=props.get("AutoVerifiedAttributes", []),
        MfaConfiguration=mfa,
    )["UserPool"]["Id"]
    if "SOFTWARE_TOKEN_MFA" in props.get("EnabledMfas", []):
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration=mfa,
        )
    resolver.physical_ids[pool_logical_id] = pool_id
    client_id = ""
    for logical_id, resource in resolver.of_type("AWS::Cognito::UserPoolClient").items():
        props = resolver.resolve(resource["Properties"])
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=props["ClientName"],
            GenerateSecret=props.get("GenerateSecret", False),
            ExplicitAuthFlows=props["ExplicitAuthFlows"],
        )["UserPoolClient"]["ClientId"]
        resolver.physical_ids[logical_id] = client_id
    for resource in resolver.of_type("AWS::Cognito::UserPoolGroup").values():
        props = resource["Properties"]
        cognito.create_group(
            UserPoolId=pool_id, GroupName=props["GroupName"], Description=props.get("Description", "")
        )
    return pool_id, client_id


def local_meta_secrets() -> dict[str, str]:
    """The local stack's Meta secrets: the fixed development ones (CONTRACT section 2) unless META_APP_SECRET,
    META_INSTAGRAM_APP_SECRET or META_VERIFY_TOKEN override them."""
    return {
        "app_secret": os.environ.get("META_APP_SECRET", "local-app-secret"),
        "instagram_app_secret": os.environ.get("META_INSTAGRAM_APP_SECRET", ""),
        "verify_token": os.environ.get("META_VERIFY_TOKEN", "local-verify-token"),
    }


def _meta_secret(resolver: Resolver, endpoint: str) -> str:
    (logical_id, secret), *_ = resolver.of_type("AWS::SecretsManager::Secret").items()
    name = resolver.resolve(secret["Properties"]["Name"])
    created = client("secretsmanager", endpoint).create_secret(
        Name=name, SecretString=json.dumps(local_meta_secrets())
    )
    resolver.physical_ids[logical_id] = created["ARN"]  # its Ref: the ARN with AWS's random suffix
    return name


_QUEUE_ATTRIBUTES = (
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
)


def _queues(resolver: Resolver, endpoint: str) -> None:
    """Each queue with its attributes (FIFO, visibility, retention); redrive policies once every queue
    exists, as CloudFormation orders them by their references."""
    sqs = client("sqs", endpoint)
    urls = {}
    for logical_id, resource in resolver.of_type("AWS::SQS::Queue").items():
        props = resolver.resolve(resource.get("Properties", {}))
        attributes = {k: str(props[k]).lower() if isinstance(props[k], bool) else str(props[k])
                      for k in _QUEUE_ATTRIBUTES if k in props}  # fmt: skip
        urls[logical_id] = sqs.create_queue(
            QueueName=resolver.physical_name(logical_id), Attributes=attributes
        )["QueueUrl"]
    for logical_id, resource in resolver.of_type("AWS::SQS::Queue").items():
        redrive = resolver.resolve(resource.get("Properties", {})).get("RedrivePolicy")
        if redrive:
            sqs.set_queue_attributes(
                QueueUrl=urls[logical_id], Attributes={"RedrivePolicy": json.dumps(redrive)}
            )


def provision(resolver: Resolver, endpoint: str) -> Provisioned:
    _tables(resolver, endpoint)
    secret_name = _meta_secret(resolver, endpoint)  # before the roles: their policies name its ARN
    pool_id, client_id = _user_pool(resolver, endpoint)
    roles = _roles(resolver, endpoint)
    _functions(resolver, endpoint, roles)
    machine_roles = _state_machines(resolver, endpoint, roles)
    for logical_id in resolver.of_type("AWS::SNS::Topic"):
        client("sns", endpoint).create_topic(Name=resolver.physical_name(logical_id))
    _queues(resolver, endpoint)
    # The sender is verified before the first deploy (README); the stack only creates the identity when
    # asked to (CreateSenderIdentity), and locally it is verified either way.
    sender = resolver.parameters["SenderEmail"]
    client("ses", endpoint).verify_email_identity(EmailAddress=sender)
    return Provisioned(pool_id, client_id, sender, secret_name, roles, machine_roles)
