"""template.yaml is the one source of truth: the code's models, handlers and workflows must match it."""

from __future__ import annotations

import json
import re

import pytest
from pynamodb.indexes import GlobalSecondaryIndex, LocalSecondaryIndex

from infra.local.template import ROOT, Resolver, load_template
from liveagent.agents import AgentModel
from liveagent.audit import AuditModel
from liveagent.channels.accounts import ChannelModel
from liveagent.conversations import ConversationModel, MessageModel
from liveagent.knowledge import KnowledgeModel
from liveagent.notifications import NotificationModel
from liveagent.tenants import TenantModel
from liveagent.tickets import TicketModel

MODELS = {
    "TenantsTable": [TenantModel],
    "ChannelsTable": [ChannelModel],
    "AgentsTable": [AgentModel],
    "TicketsTable": [TicketModel],
    "MessagesTable": [MessageModel, ConversationModel],
    "KnowledgeTable": [KnowledgeModel],
    "NotificationsTable": [NotificationModel],
    "AuditTable": [AuditModel],
}
RESOURCES = load_template()["Resources"]


def _keys(schema: list[dict]) -> dict[str, str]:
    return {k["KeyType"]: k["AttributeName"] for k in schema}


@pytest.mark.parametrize("logical_id", sorted(MODELS))
def test_every_pynamodb_model_matches_its_table_in_the_template(logical_id: str) -> None:
    props = RESOURCES[logical_id]["Properties"]
    keys = _keys(props["KeySchema"])
    for model in MODELS[logical_id]:
        assert model.Meta.table_name == logical_id  # the env var the template gives every function
        hash_key = model._hash_keyname
        range_key = model._range_keyname
        assert keys == {k: v for k, v in (("HASH", hash_key), ("RANGE", range_key)) if v}
        for index in model._indexes.values():
            declared = {
                i["IndexName"]: i
                for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
                for i in props.get(kind, [])
            }
            name = index.Meta.index_name
            assert name in declared, f"{model.__name__}.{name} is not in template.yaml"
            index_keys = {
                "HASH" if a.is_hash_key else "RANGE": a.attr_name
                for a in index.Meta.attributes.values()
                if a.is_hash_key or a.is_range_key
            }
            assert index_keys == _keys(declared[name]["KeySchema"])
            kind = (
                "LocalSecondaryIndexes"
                if isinstance(index, LocalSecondaryIndex)
                else "GlobalSecondaryIndexes"
            )
            assert isinstance(index, LocalSecondaryIndex | GlobalSecondaryIndex)
            assert name in {i["IndexName"] for i in props.get(kind, [])}


def test_every_table_is_on_demand_with_recovery_or_is_the_idempotency_store() -> None:
    for logical_id, resource in RESOURCES.items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        if logical_id != "IdempotencyTable":
            assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_every_function_has_its_handler_in_its_code_uri() -> None:
    functions = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}
    assert {v["Properties"]["CodeUri"] for v in functions.values()} == {
        f"functions/{n}/"
        for n in ("webhook", "inbound", "detect", "route", "notify", "reply", "api", "auto_close")
    }
    for resource in functions.values():
        module, function = resource["Properties"]["Handler"].split(".")
        source = (ROOT / resource["Properties"]["CodeUri"] / f"{module}.py").read_text()
        assert f"def {function}(" in source
        assert len(source.splitlines()) <= 120, "handlers stay thin"


def test_every_workflow_substitution_is_declared_and_used() -> None:
    for resource in RESOURCES.values():
        if resource["Type"] != "AWS::Serverless::StateMachine":
            continue
        props = resource["Properties"]
        definition = (ROOT / props["DefinitionUri"]).read_text()
        used = set(re.findall(r"\$\{(\w+)\}", definition))
        assert used == set(props["DefinitionSubstitutions"])
        json.loads(definition)


def test_the_local_only_routes_never_reach_the_template() -> None:
    assert "/local" not in (ROOT / "template.yaml").read_text()


def test_local_resolution_builds_state_machine_arns_without_cycles() -> None:
    env = Resolver({"SenderEmail": "a@b.c"}).function_environment("DetectFunction")
    assert (
        env["ESCALATION_STATE_MACHINE_ARN"]
        == "arn:aws:states:us-east-1:123456789012:stateMachine:lae-escalation"
    )
    assert env["TICKETS_TABLE"] == "TicketsTable"
