"""The operator tool (python -m infra.admin): what it refuses, and that it writes what the stack reads."""

from __future__ import annotations

import json
import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra import admin
from infra.target import TABLE_OUTPUTS, Target, resolve
from liveagent.channels.accounts import find_channel
from liveagent.tenants import TenantModel
from tests.commands import ROOT, user_environment
from tests.conftest import Client, eventually, whatsapp_text


@pytest.fixture
def target(client: Client) -> Target:
    outputs = client.stack.outputs()
    return Target("local", outputs, outputs["Region"], outputs["AwsEndpoint"])


def test_bad_arguments_are_refused_before_anything_is_written(client: Client, target: Target) -> None:
    with pytest.raises(admin.Refused, match="not an email address"):
        admin.add_user(target, admin.UserSpec(email="nobody", tenant="demo", permission="agent"))
    with pytest.raises(admin.Refused, match="no tenant 'ghost'"):
        admin.add_user(target, admin.UserSpec(email="a@b.example", tenant="ghost", permission="agent"))
    with pytest.raises(admin.Refused, match=r"E\.164"):
        admin.add_user(
            target, admin.UserSpec(email="a@b.example", tenant="demo", permission="agent", phone="555")
        )
    with pytest.raises(admin.Refused, match="exists already"):
        admin.add_user(target, admin.UserSpec(email="alice@demo.test", tenant="demo", permission="agent"))
    with pytest.raises(admin.Refused, match="exists already"):
        admin.add_tenant("demo", "Demo again")
    with pytest.raises(admin.Refused, match="already belongs to tenant 'demo'"):
        admin.add_channel(target, "acme", "whatsapp", "100000000000001", "token")
    with pytest.raises(admin.Refused, match="32 hexadecimal"):
        admin.set_meta_secrets(target, "not-a-secret", None)


def test_a_new_tenant_channel_and_agent_take_escalations(client: Client, target: Target) -> None:
    print(admin.add_tenant("shop", "A Shop"))
    print(admin.add_channel(target, "shop", "whatsapp", "100000000000777", "shop-graph-token", "15550007777"))
    spec = admin.UserSpec(email="sam@shop.example", tenant="shop", permission="agent", departments=["support"],
                          password="Shop-pass-123", status="online")  # fmt: skip
    print(admin.add_user(target, spec))
    assert find_channel("whatsapp", "100000000000777").tenant_id == "shop"
    assert client.token("sam@shop.example", password="Shop-pass-123")  # signs in (cached for the calls below)
    client.webhook(
        whatsapp_text("I want to talk to a human", customer="15550000777", account="100000000000777")
    )
    mine = eventually(lambda: [t for t in client.tickets(as_user="sam@shop.example") if t["assignee"]])
    assert mine[0]["assignee"] == client.api("GET", "/api/me", as_user="sam@shop.example").json()["id"]
    # The acknowledgement went out with the shop's own Graph token.
    sent = eventually(lambda: [m for m in client.outbox()["messages"] if m["to"] == "15550000777"])
    assert sent[0]["from"] == "100000000000777"
    print(admin.remove_user(target, "sam@shop.example"))
    cognito = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=client.stack.aws_url)
    assert "sam@shop.example" not in {
        u["Username"] for u in cognito.list_users(UserPoolId=target.outputs["UserPoolId"])["Users"]
    }


def test_meta_secrets_are_set_and_the_verify_token_kept(client: Client, target: Target) -> None:
    token = admin.verify_token(target)
    assert token == "local-verify-token"
    admin.set_meta_secrets(target, "0123456789abcdef0123456789abcdef", None)
    secrets = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=client.stack.aws_url)
    stored = json.loads(secrets.get_secret_value(SecretId=target.outputs["MetaSecretName"])["SecretString"])
    assert stored["app_secret"] == "0123456789abcdef0123456789abcdef" and stored["verify_token"] == token


def test_a_stack_is_looked_for_in_the_region_make_deploy_put_it_in(monkeypatch, tmp_path) -> None:
    """The operator tools (infra.admin, infra.smoke, infra.replay_failed: `operator_session`) find the stack
    where `make deploy` put it: --region, then AWS_REGION (which boto3 alone does not read), then boto3's own
    chain; with none, a clear error."""
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws/config
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    for variable in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(SystemExit, match="error: no AWS region: pass --region, set AWS_REGION"):
        resolve("support")
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": f"support-{key}"} for key in TABLE_OUTPUTS},
    }
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name="eu-west-3")
        cloudformation.create_stack(StackName="support", TemplateBody=json.dumps(template))
        monkeypatch.setenv("AWS_REGION", "eu-west-3")
        target = resolve("support")
        assert (target.region, target.outputs["TenantsTableName"]) == (
            "eu-west-3",
            "support-TenantsTableName",
        )
        with pytest.raises(ClientError, match="does not exist"):
            resolve("support", "ap-south-1")  # --region wins: not there


def test_the_tool_runs_as_the_readme_gives_it(client: Client) -> None:
    """`.venv/bin/python -m infra.admin STACK ...` from the clone, with none of make's PYTHONPATH: the domain
    package it imports once the target is known lives in the layer's folder."""
    env = user_environment()
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-m", "infra.admin", client.base, "tenant", "add", "--tenant", "readme-cli",
         "--name", "Readme CLI"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tenant readme-cli (Readme CLI) created" in done.stdout
    assert TenantModel.get("readme-cli").name == "Readme CLI"
