"""Seeds the demo tenants, channels, users (Cognito + team records) and knowledge bases."""

from __future__ import annotations

import json
from pathlib import Path

from infra.local.provision import Provisioned, client
from infra.local.template import ROOT, STACK

DEMO_FILE = ROOT / "infra" / "seed" / "demo.json"
DEMO_PASSWORD = "Demo-pass-1"
GRAPH_TOKEN = "local-graph-token"


def _create_user(cognito, pool_id: str, email: str, tenant_id: str, group: str) -> str:
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "custom:tenant_id", "Value": tenant_id},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=DEMO_PASSWORD, Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=group)
    attributes = cognito.admin_get_user(UserPoolId=pool_id, Username=email)["UserAttributes"]
    return next(a["Value"] for a in attributes if a["Name"] == "sub")


def seed(provisioned: Provisioned, endpoint: str, path: Path = DEMO_FILE) -> dict[str, str]:
    """Returns {email: agent id}."""
    from liveagent import knowledge, tenants
    from liveagent.agents import AgentModel, NotifySettings
    from liveagent.channels import channel_key
    from liveagent.channels.accounts import ChannelModel
    from liveagent.settings import TenantSettings

    data = json.loads(path.read_text())
    settings = TenantSettings.model_validate(data["settings"])
    cognito = client("cognito-idp", endpoint)
    secrets = client("secretsmanager", endpoint)
    ids: dict[str, str] = {}
    for tenant in data["tenants"]:
        tenant_id = tenant["tenant_id"]
        tenants.save_tenant(tenant_id, tenant["name"], settings)
        token_secret = f"{STACK}/graph/{tenant_id}"
        secrets.create_secret(Name=token_secret, SecretString=GRAPH_TOKEN)
        for channel, account_id, display in (
            ("whatsapp", tenant["whatsapp"]["phone_number_id"], tenant["whatsapp"]["display"]),
            ("instagram", tenant["instagram"]["account_id"], ""),
        ):
            ChannelModel(
                channel_key(channel, account_id),
                tenant_id=tenant_id,
                channel=channel,
                account_id=account_id,
                display=display,
                token_secret=token_secret,
            ).save()
        for user in tenant["users"]:
            agent_id = _create_user(
                cognito, provisioned.user_pool_id, user["email"], tenant_id, user["permission"]
            )
            ids[user["email"]] = agent_id
            AgentModel(
                tenant_id,
                agent_id,
                email=user["email"],
                name=user["name"],
                permission=user["permission"],
                departments=user["departments"],
                roles=user["roles"],
                capacity=5,
                status="online",
                open_count=0,
                phone=user["phone"],
                notify=NotifySettings(email=True, sms=True, in_app=True),
            ).save()
        for entry in tenant["knowledge"]:
            knowledge.put_entry(tenant_id, knowledge.KnowledgeEntryIn.model_validate(entry))
    return ids
