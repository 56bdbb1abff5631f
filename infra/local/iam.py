"""IAM policy evaluation for the local stack: does this identity-based policy set allow this request?

What AWS documents for identity-based policies in one account (the only kind our functions and workflows
carry): an explicit Deny wins; otherwise any matching Allow allows; otherwise the request is implicitly
denied. A statement matches when its Action (or NotAction), Resource (or NotResource) and every Condition
match. Actions compare case-insensitively, resources case-sensitively, both with the `*` and `?`
wildcards; an ARN pattern is matched segment by segment (partition, service, region, account), the
resource segment as a whole. Resource policies (SQS queue policies, Lambda permissions) are not
evaluated: within one account an identity policy that allows is enough, except for KMS key policies.

moto's own IAM enforcement was not used: for most services it checks the action only (resource `*`),
which would let a function read any table. This module evaluates the policies SAM generates for each
function and state machine itself, resource ARN included.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

ContextValue = str | Sequence[str] | bool


@dataclass(frozen=True)
class Request:
    """One authorization AWS makes for a call: an action on a resource, with the request's context keys
    (e.g. `ses:FromAddress`). A call can need several (a transaction: one per item)."""

    action: str  # "dynamodb:UpdateItem"
    resource: str  # an ARN, or "*" for actions without resource-level permissions
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    explicit_deny: bool = False
    statement: str | None = None  # "<policy name>/<statement index or Sid>" that decided it


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@cache
def _glob(pattern: str, ignore_case: bool) -> re.Pattern:
    return re.compile(fnmatch.translate(pattern), re.IGNORECASE if ignore_case else 0)


def _matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    # fnmatch treats [..] as a character class; IAM does not.
    escaped = pattern.replace("[", "[[]")
    return bool(_glob(escaped, ignore_case).match(value))


def action_matches(pattern: str, action: str) -> bool:
    return _matches(pattern, action, ignore_case=True)


def resource_matches(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    if not pattern.startswith("arn:") or not resource.startswith("arn:"):
        return _matches(pattern, resource)
    wanted, given = pattern.split(":", 5), resource.split(":", 5)
    if len(wanted) != 6 or len(given) != 6:
        return False
    return all(_matches(w, g) for w, g in zip(wanted, given, strict=True))


# ------------------------------------------------------------------------------------------ conditions
_STRING_OPERATORS = {
    "StringEquals": lambda want, got: want == got,
    "StringNotEquals": lambda want, got: want != got,
    "StringEqualsIgnoreCase": lambda want, got: want.lower() == got.lower(),
    "StringNotEqualsIgnoreCase": lambda want, got: want.lower() != got.lower(),
    "StringLike": lambda want, got: _matches(want, got),
    "StringNotLike": lambda want, got: not _matches(want, got),
    "ArnEquals": lambda want, got: want == got,
    "ArnNotEquals": lambda want, got: want != got,
    "ArnLike": lambda want, got: resource_matches(want, got),
    "ArnNotLike": lambda want, got: not resource_matches(want, got),
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


class UnsupportedPolicy(ValueError):
    """A policy uses something this evaluator cannot decide; refused when the stack starts, never
    silently allowed."""


def _check_operator(operator: str) -> None:
    base = operator.split(":", 1)[-1].removesuffix("IfExists")
    if base not in _STRING_OPERATORS and base not in ("Bool", "Null"):
        raise UnsupportedPolicy(f"condition operator {operator} is not supported by the local IAM")


def _condition_holds(operator: str, key: str, wanted: list, context: Mapping[str, ContextValue]) -> bool:
    qualifier, _, name = operator.rpartition(":")
    if_exists = name.endswith("IfExists")
    base = name.removesuffix("IfExists")
    present = key in context
    if base == "Null":  # "true": the key must be absent
        return (not present) == (str(wanted[0]).lower() == "true")
    if not present:
        return if_exists
    given = context[key]
    if base == "Bool":
        return str(given).lower() == str(wanted[0]).lower()
    values = [str(v) for v in _as_list(given)]
    test = _STRING_OPERATORS[base]
    if qualifier == "ForAllValues":
        return all(any(test(str(w), v) for w in wanted) for v in values)
    if base in _NEGATED:  # a negated operator holds when no wanted value matches (each test negates)
        return all(all(test(str(w), v) for w in wanted) for v in values)
    return any(test(str(w), v) for w in wanted for v in values)


# ------------------------------------------------------------------------------------------ statements
@dataclass(frozen=True)
class Statement:
    label: str
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]

    @classmethod
    def parse(cls, label: str, raw: Mapping[str, Any]) -> Statement:
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise UnsupportedPolicy(f"{label}: Effect must be Allow or Deny, not {effect!r}")
        if "Principal" in raw or "NotPrincipal" in raw:
            raise UnsupportedPolicy(f"{label}: a Principal belongs in resource policies")
        conditions = []
        for operator, keys in (raw.get("Condition") or {}).items():
            _check_operator(operator)
            for key, values in keys.items():
                conditions.append((operator, key, tuple(str(v) for v in _as_list(values))))
        statement = cls(
            label=label,
            effect=effect,
            actions=tuple(_as_list(raw.get("Action"))),
            not_actions=tuple(_as_list(raw.get("NotAction"))),
            resources=tuple(_as_list(raw.get("Resource"))),
            not_resources=tuple(_as_list(raw.get("NotResource"))),
            conditions=tuple(conditions),
        )
        if bool(statement.actions) == bool(statement.not_actions):
            raise UnsupportedPolicy(f"{label}: give exactly one of Action and NotAction")
        if bool(statement.resources) == bool(statement.not_resources):
            raise UnsupportedPolicy(f"{label}: give exactly one of Resource and NotResource")
        for value in (
            *statement.actions,
            *statement.not_actions,
            *statement.resources,
            *statement.not_resources,
        ):
            if not isinstance(value, str):
                raise UnsupportedPolicy(f"{label}: unresolved value {value!r}")
        return statement

    def applies_to(self, request: Request) -> bool:
        if self.actions:
            if not any(action_matches(p, request.action) for p in self.actions):
                return False
        elif any(action_matches(p, request.action) for p in self.not_actions):
            return False
        if self.resources:
            if not any(resource_matches(p, request.resource) for p in self.resources):
                return False
        elif any(resource_matches(p, request.resource) for p in self.not_resources):
            return False
        return all(
            _condition_holds(op, key, list(values), request.context) for op, key, values in self.conditions
        )


@dataclass(frozen=True)
class PolicySet:
    """Every statement that applies to one principal (its inline and managed policies)."""

    principal: str  # "arn:aws:sts::<account>:assumed-role/<role>/<session>", for messages
    statements: tuple[Statement, ...]

    @classmethod
    def from_documents(cls, principal: str, documents: Iterable[tuple[str, Mapping[str, Any]]]) -> PolicySet:
        statements = []
        for name, document in documents:
            for index, raw in enumerate(_as_list(document.get("Statement"))):
                statements.append(Statement.parse(f"{name}/{raw.get('Sid', index)}", raw))
        return cls(principal, tuple(statements))

    def decide(self, request: Request) -> Decision:
        allowed_by = None
        for statement in self.statements:
            if not statement.applies_to(request):
                continue
            if statement.effect == "Deny":
                return Decision(False, explicit_deny=True, statement=statement.label)
            allowed_by = allowed_by or statement.label
        return Decision(allowed_by is not None, statement=allowed_by)

    def denial_message(self, request: Request, decision: Decision) -> str:
        why = (
            "with an explicit deny in an identity-based policy"
            if decision.explicit_deny
            else f"because no identity-based policy allows the {request.action} action"
        )
        return (
            f"User: {self.principal} is not authorized to perform: {request.action} on resource: "
            f"{request.resource} {why}"
        )
