"""Reads template.yaml (the single source of truth) and resolves the intrinsics the local stack needs.

Local physical names are the logical ids (TicketsTable, DetectFunction, ...); the pseudo parameters are a
fixed local account and region; parameters take local values (Graph API stand-in, local sender).
"""

from __future__ import annotations

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
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


@cache
def load_template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


@dataclass
class Resolver:
    parameters: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        template = load_template()
        self.resources: dict[str, dict] = template["Resources"]
        defaults = {k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()}
        self.parameters = {**defaults, **self.parameters}

    def physical_name(self, logical_id: str) -> str:
        props = self.resources[logical_id].get("Properties", {})
        for key in ("Name", "TableName", "FunctionName", "TopicName", "QueueName"):
            if key in props:
                return self.resolve(props[key])
        return logical_id

    def arn(self, logical_id: str) -> str:
        kind = self.resources[logical_id]["Type"]
        name = self.physical_name(logical_id)
        return {
            "AWS::Serverless::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
            "AWS::Serverless::StateMachine": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}",
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}",
            "AWS::SNS::Topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}",
            "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}",
        }.get(kind, f"arn:aws:local:{REGION}:{ACCOUNT}:{name}")

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::StackName": STACK,
            "AWS::Partition": "aws",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        kind = self.resources[name]["Type"]
        if kind in ("AWS::Serverless::StateMachine", "AWS::SNS::Topic"):
            return self.arn(name)
        if kind == "AWS::SQS::Queue":  # a queue's Ref is its URL
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self.physical_name(name)}"
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arn(logical_id)
        if attribute in ("TopicName", "Name", "QueueName"):
            return self.physical_name(logical_id)
        raise ValueError(f"local stack cannot resolve !GetAtt {logical_id}.{attribute}")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            return self.ref(value["Ref"])
        if "Fn::GetAtt" in value:
            return self.get_att(*value["Fn::GetAtt"])
        if "Fn::Sub" in value:
            text = value["Fn::Sub"]

            def substitute(match: re.Match) -> str:
                name = match.group(1)
                return self.get_att(*name.split(".", 1)) if "." in name else self.ref(name)

            return re.sub(r"\$\{([^}!]+)\}", substitute, text)
        return {k: self.resolve(v) for k, v in value.items()}

    def of_type(self, kind: str) -> dict[str, dict]:
        return {k: v for k, v in self.resources.items() if v["Type"] == kind}

    def function_environment(self) -> dict[str, str]:
        """Globals + every function's variables. In-process, the functions share one environment; the
        template gives them the same values, except POWERTOOLS_SERVICE_NAME (set per invocation)."""
        env = dict(load_template()["Globals"]["Function"]["Environment"]["Variables"])
        return {k: str(self.resolve(v)) for k, v in env.items()}


def local_parameters(api_port: int) -> dict[str, str]:
    return {
        "SenderEmail": "alerts@liveagent.local",
        "GraphApiBase": f"http://127.0.0.1:{api_port}/local/graph/v21.0",
        "LogLevel": "WARNING",
    }
