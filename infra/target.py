"""Which deployment the operator tools (infra.admin, infra.smoke) work on: a CloudFormation stack in AWS,
by its name, or the local stack, by its URL (`make run` prints it). Both answer with the template's
Outputs, so the tools run the same code against either.

    python -m infra.smoke live-agent-escalation          # the stack in your AWS account
    python -m infra.smoke http://127.0.0.1:3000           # the local stack

The tools use the operator's own AWS credentials (an administrator of the account), never a function's
role. The domain package is imported only after the target is known: its table models read their table
names and region from the environment, which `Target.activate` sets from the stack's outputs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import boto3
import requests

# Output key -> the variable template.yaml gives every function for that table.
TABLE_OUTPUTS = {
    "TenantsTableName": "TENANTS_TABLE",
    "ChannelsTableName": "CHANNELS_TABLE",
    "AgentsTableName": "AGENTS_TABLE",
    "TicketsTableName": "TICKETS_TABLE",
    "MessagesTableName": "MESSAGES_TABLE",
    "NotificationsTableName": "NOTIFICATIONS_TABLE",
}


@dataclass(frozen=True)
class Target:
    name: str
    outputs: dict[str, str]
    region: str
    endpoint: str | None = None  # the fake AWS of the local stack; None in AWS

    @property
    def local(self) -> bool:
        return self.endpoint is not None

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.region, endpoint_url=self.endpoint)

    def activate(self) -> None:
        """Point this process's AWS clients (boto3 and PynamoDB alike) at the target's account and
        tables. Call before importing liveagent."""
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = self.region
        if self.endpoint:
            os.environ["AWS_ENDPOINT_URL"] = self.endpoint
            os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
            os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        for output, variable in TABLE_OUTPUTS.items():
            os.environ[variable] = self.outputs[output]


def operator_session(region: str | None = None) -> boto3.Session:
    """The operator's AWS session in the region `make deploy` put the stack in: `region` (--region), then
    AWS_REGION (which boto3 alone does not read), then boto3's chain (AWS_DEFAULT_REGION, the profile's)."""
    session = boto3.Session(region_name=region or os.environ.get("AWS_REGION") or None)
    if not session.region_name:
        raise SystemExit("error: no AWS region: pass --region, set AWS_REGION, or run aws configure")
    return session


def resolve(stack: str, region: str | None = None) -> Target:
    if stack.startswith(("http://", "https://")):
        outputs = requests.get(f"{stack.rstrip('/')}/local/outputs", timeout=10)
        outputs.raise_for_status()
        values = outputs.json()
        return Target(stack, values, values["Region"], values["AwsEndpoint"])
    session = operator_session(region)
    described = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    values = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    require_outputs(stack, values, TABLE_OUTPUTS)
    return Target(stack, values, session.region_name)


def require_outputs(stack: str, outputs: dict[str, str], keys: Iterable[str]) -> None:
    """Refuse a stack deployed from an older template.yaml, which lacks Outputs a tool reads."""
    missing = sorted(set(keys) - set(outputs))
    if missing:
        raise SystemExit(
            f"stack {stack} has no outputs {missing}: deploy this version of template.yaml first"
        )
