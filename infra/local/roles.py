"""The IAM roles of the translated template: each function's and each state machine's policies exactly
as SAM generates them (inline policies from the policy templates and statements, managed policies such as
AWSLambdaBasicExecutionRole), resolved to local ARNs, as the principals the local stack enforces."""

from __future__ import annotations

from dataclasses import dataclass

from infra.local.iam import PolicySet
from infra.local.template import ACCOUNT, Resolver, managed_policies


@dataclass(frozen=True)
class Role:
    logical_id: str
    name: str
    arn: str
    inline: dict[str, dict]  # policy name -> document
    managed: tuple[str, ...]  # managed policy ARNs

    def policy_set(self, session: str) -> PolicySet:
        by_arn = {p["arn"]: (name, p["document"]) for name, p in managed_policies().items()}
        documents = list(self.inline.items())
        for arn in self.managed:
            if arn not in by_arn:
                raise ValueError(f"{self.logical_id}: managed policy {arn} is unknown to the local stack")
            documents.append(by_arn[arn])
        principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{self.name}/{session}"
        return PolicySet.from_documents(principal, documents)


def template_roles(resolver: Resolver) -> dict[str, Role]:
    """Every AWS::IAM::Role of the translated template, by logical id."""
    roles = {}
    for logical_id, resource in resolver.of_type("AWS::IAM::Role").items():
        props = resolver.resolve(resource["Properties"])
        roles[logical_id] = Role(
            logical_id=logical_id,
            name=resolver.physical_name(logical_id),
            arn=resolver.arn(logical_id),
            inline={p["PolicyName"]: p["PolicyDocument"] for p in props.get("Policies", [])},
            managed=tuple(props.get("ManagedPolicyArns", [])),
        )
    return roles


def role_of(resolver: Resolver, logical_id: str) -> str:
    """The logical id of the role a function or state machine runs with (its Role / RoleArn)."""
    props = resolver.resources[logical_id]["Properties"]
    reference = props.get("Role") or props.get("RoleArn")
    if isinstance(reference, dict) and "Fn::GetAtt" in reference:
        return reference["Fn::GetAtt"][0]
    raise ValueError(f"{logical_id}: its role is not a role of this template ({reference!r})")
