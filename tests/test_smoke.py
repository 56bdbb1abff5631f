"""`make smoke` runs against the local stack with the same code it runs against a deployed stack."""

from __future__ import annotations

import os
import subprocess
import sys

import boto3

from infra.local.template import ROOT
from liveagent.tenants import TenantModel
from tests.commands import user_environment
from tests.conftest import Client


def test_the_post_deploy_check_passes_against_the_local_stack_and_leaves_nothing(client: Client) -> None:
    cognito = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=client.stack.aws_url)
    pool = client.stack.provisioned.user_pool_id

    def users() -> set[str]:
        return {u["Username"] for u in cognito.list_users(UserPoolId=pool)["Users"]}

    tenants_before, users_before = {t.tenant_id for t in TenantModel.scan()}, users()
    env = user_environment()
    env["PYTHONPATH"] = f"{ROOT / 'layers' / 'shared'}{os.pathsep}{ROOT}"
    done = subprocess.run(
        [sys.executable, "-m", "infra.smoke", client.base, "--timeout", "30"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    for step in ("health", "Meta handshake", "set up", "signed message", "sign in", "ticket seen", "close",
                 "clean up"):  # fmt: skip
        assert f"ok   {step}" in done.stdout, done.stdout
    assert "smoke test passed" in done.stdout
    assert {t.tenant_id for t in TenantModel.scan()} == tenants_before  # its tenant and stats are gone
    assert users() == users_before  # its agent too
