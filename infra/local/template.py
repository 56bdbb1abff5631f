"""Reads template.yaml (the single source of truth) as AWS will: translated by SAM's own translator
(samtranslator, what `sam deploy` runs), so the local stack gets the same IAM roles and policies, the same
merged environment per function and the same generated resources as CloudFormation; then resolves the
intrinsics the local stack needs.

Local physical names are the logical ids (TicketsTable, DetectFunction, DetectFunctionRole, ...); the
pseudo parameters are a fixed local account and region; parameters take local values (Graph API stand-in,
local sender, local dashboard origin). Values AWS only knows after creating a resource (a secret's ARN
suffix, the user pool id) are recorded by provisioning in `Resolver.physical_ids`.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
REGION = "us-east-1"
ACCOUNT = "123456789012"
STACK = "lae"
LOCAL_BUCKET = "local"  # s3://local/<path>: where `sam package` would have put CodeUri/DefinitionUri
_URI_KEYS = ("CodeUri", "DefinitionUri", "ContentUri")


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation short tags (!Ref, !Sub, !GetAtt ...) kept as {"Fn::X": ...} / {"Ref": ...}."""


def _construct_tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


@cache
def load_template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


@cache
def managed_policies() -> dict[str, dict[str, Any]]:
    """AWS managed policies by name -> {"arn", "document"}, from the copy moto ships."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    policies = {}
    for name, policy in json.loads(aws_managed_policies_data).items():
        arn = f"arn:aws:iam::aws:policy{policy.get('Path', '/')}{name}"
        policies[name] = {"arn": arn, "document": policy["Document"]}
    return policies


@cache
def _translate(parameters: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    import logging

    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    logging.getLogger("samtranslator").setLevel(logging.ERROR)  # feature-toggle chatter
    template = copy.deepcopy(load_template())
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for key in _URI_KEYS:
            if isinstance(props.get(key), str):
                props[key] = f"s3://{LOCAL_BUCKET}/{props[key]}"
    policy_map = {name: policy["arn"] for name, policy in managed_policies().items()}
    translator = Translator(
        managed_policy_map=policy_map, sam_parser=Parser(), boto_session=boto3.Session(region_name=REGION)
    )
    return translator.translate(template, parameter_values=dict(parameters))


def translated_template(parameters: dict[str, str]) -> dict[str, Any]:
    """The CloudFormation template SAM makes of template.yaml with these parameter values."""
    return copy.deepcopy(_translate(tuple(sorted(parameters.items()))))


def local_path(s3_uri_or_key: str) -> Path:
    """s3://local/functions/api/ (or the S3Key functions/api/) -> the folder in this repository."""
    return ROOT / s3_uri_or_key.removeprefix(f"s3://{LOCAL_BUCKET}/")


class _NoValue:
    """AWS::NoValue: the property is removed."""


NO_VALUE = _NoValue()


@dataclass
class Resolver:
    parameters: dict[str, str] = field(default_factory=dict)
    physical_ids: dict[str, str] = field(default_factory=dict)  # logical id -> Ref value known after create

    def __post_init__(self) -> None:
        template = load_template()
        defaults = {k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()}
        self.parameters = {**defaults, **self.parameters}
        self.sam_resources: dict[str, dict] = template["Resources"]
        self.cfn = translated_template(self.parameters)
        self.resources: dict[str, dict] = self.cfn["Resources"]
        self.conditions: dict[str, Any] = self.cfn.get("Conditions", {})

    # ------------------------------------------------------------------------------ resources
    def _resource(self, logical_id: str) -> dict:
        return self.resources.get(logical_id) or self.sam_resources[logical_id]

    def exists(self, logical_id: str) -> bool:
        """False for a resource whose Condition is false (CloudFormation does not create it)."""
        resource = self._resource(logical_id)
        return "Condition" not in resource or self.condition(resource["Condition"])

    def of_type(self, kind: str) -> dict[str, dict]:
        """Resources of a type: SAM's own (AWS::Serverless::*) from template.yaml, the rest from the
        translated template (which also holds what SAM generates: roles, permissions, stages)."""
        pool = self.sam_resources if kind.startswith("AWS::Serverless::") else self.resources
        return {k: v for k, v in pool.items() if v["Type"] == kind and self.exists(k)}

    def physical_name(self, logical_id: str) -> str:
        resource = self._resource(logical_id)
        props = resource.get("Properties", {})
        for key in (
            "Name",
            "TableName",
            "FunctionName",
            "TopicName",
            "QueueName",
            "RoleName",
            "StateMachineName",
            "LogGroupName",
        ):
            if key in props:
                return self.resolve(props[key])
        if resource["Type"] == "AWS::SQS::Queue" and str(props.get("FifoQueue", "")).lower() == "true":
            return (
                f"{logical_id}.fifo"  # CloudFormation's generated name ends as SQS requires of a FIFO queue
            )
        return logical_id

    def arn(self, logical_id: str) -> str:
        kind = self._resource(logical_id)["Type"]
        if logical_id in self.physical_ids and self.physical_ids[logical_id].startswith("arn:"):
            return self.physical_ids[logical_id]  # known only once created (a secret's random suffix)
        name = self.physical_name(logical_id)
        if kind == "AWS::Cognito::UserPool":
            return f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{self.ref(logical_id)}"
        pattern = {
            "AWS::Serverless::Function": "arn:aws:lambda:{r}:{a}:function:{n}",
            "AWS::Lambda::Function": "arn:aws:lambda:{r}:{a}:function:{n}",
            "AWS::Serverless::StateMachine": "arn:aws:states:{r}:{a}:stateMachine:{n}",
            "AWS::StepFunctions::StateMachine": "arn:aws:states:{r}:{a}:stateMachine:{n}",
            "AWS::DynamoDB::Table": "arn:aws:dynamodb:{r}:{a}:table/{n}",
            "AWS::SNS::Topic": "arn:aws:sns:{r}:{a}:{n}",
            "AWS::Logs::LogGroup": "arn:aws:logs:{r}:{a}:log-group:{n}",
            "AWS::SQS::Queue": "arn:aws:sqs:{r}:{a}:{n}",
            "AWS::IAM::Role": "arn:aws:iam::{a}:role/{n}",
            "AWS::KMS::Key": "arn:aws:kms:{r}:{a}:key/{n}",
            "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:{r}:{a}:secret:{n}",
        }.get(kind, "arn:aws:local:{r}:{a}:{n}")
        return pattern.format(r=REGION, a=ACCOUNT, n=name)

    def ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::StackName": STACK,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.physical_ids:
            return self.physical_ids[name]
        kind = self._resource(name)["Type"]
        if kind in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine", "AWS::SNS::Topic",
                    "AWS::SecretsManager::Secret", "AWS::Lambda::LayerVersion"):  # fmt: skip
            return self.arn(name)
        if kind == "AWS::SQS::Queue":  # a queue's Ref is its URL
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self.physical_name(name)}"
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arn(logical_id)
        if attribute in ("TopicName", "Name", "QueueName"):
            return self.physical_name(logical_id)
        if attribute == "QueueUrl":
            return self.ref(logical_id)
        if attribute == "DomainName":  # a CloudFront distribution: no such thing locally
            return f"{logical_id.lower()}.cloudfront.local"
        raise ValueError(f"local stack cannot resolve !GetAtt {logical_id}.{attribute}")

    # ------------------------------------------------------------------------------ intrinsics
    def condition(self, name: str) -> bool:
        return bool(self._evaluate_condition(self.conditions[name]))

    def _evaluate_condition(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            (key, args), *_ = value.items()
            if key == "Fn::Equals":
                left, right = (self.resolve(a) for a in args)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self._evaluate_condition(args[0])
            if key == "Fn::And":
                return all(self._evaluate_condition(a) for a in args)
            if key == "Fn::Or":
                return any(self._evaluate_condition(a) for a in args)
            if key == "Condition":
                return self.condition(args)
        return self.resolve(value)

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return str(self.resolve(variables[name]))
            return str(self.get_att(*name.split(".", 1)) if "." in name else self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", substitute, text)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in (self.resolve(v) for v in value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, args), *_ = value.items()
            if key == "Ref":
                return self.ref(args)
            if key == "Fn::GetAtt":
                return self.get_att(*args)
            if key == "Fn::Sub":
                text, variables = (args, {}) if isinstance(args, str) else args
                return self._sub(text, variables)
            if key == "Fn::Join":
                separator, parts = args
                return separator.join(str(p) for p in self.resolve(parts))
            if key == "Fn::If":
                name, yes, no = args
                return self.resolve(yes if self.condition(name) else no)
            if key == "Fn::Select":
                index, items = args
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                separator, text = args
                return str(self.resolve(text)).split(separator)
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    # ------------------------------------------------------------------------------ functions
    def function_environment(self, logical_id: str) -> dict[str, str]:
        """One function's environment as CloudFormation gives it (SAM merges Globals into each)."""
        props = self.resources[logical_id]["Properties"]
        variables = props.get("Environment", {}).get("Variables", {})
        return {k: str(v) for k, v in self.resolve(variables).items()}

    def shared_environment(self) -> dict[str, str]:
        """The variables every function has (template Globals): what tools and tests outside an
        invocation need to import the package (its table models read their names at import)."""
        env = load_template()["Globals"]["Function"].get("Environment", {}).get("Variables", {})
        return {k: str(v) for k, v in self.resolve(env).items()}


def local_parameters(api_port: int) -> dict[str, str]:
    return {
        "SenderEmail": "alerts@liveagent.local",
        "GraphApiBase": f"http://127.0.0.1:{api_port}/local/graph/v21.0",
        "LogLevel": "WARNING",
        "DashboardOrigin": f"http://127.0.0.1:{api_port}",
        "SentimentProvider": "local",
    }
