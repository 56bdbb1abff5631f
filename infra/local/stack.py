"""The local stack: fake AWS + resources from template.yaml + in-process Lambda + gateway + demo data.

`make run` and the tests use this same class, so what the tests exercise is what a developer runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
import warnings
from typing import Any

import boto3

from infra.local import environment, sandbox
from infra.local.aws import FakeAws
from infra.local.event_sources import EventSources
from infra.local.faults import Faults
from infra.local.graph import GraphStandIn
from infra.local.lambdas import LambdaDispatcher
from infra.local.provision import Provisioned, provision
from infra.local.template import ACCOUNT, REGION, Resolver, load_template, local_parameters

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure_environment(api_port: int, aws_port: int) -> Resolver:
    """Process environment as Lambda would have it, pointed at the fake AWS. Call before importing
    liveagent: its PynamoDB models read their table names at import."""
    resolver = Resolver(local_parameters(api_port))
    os.environ.update(
        {
            # What Lambda's runtime gives every function (credentials of its role, region), pointed at
            # the fake AWS; each invocation then sees its own function's variables on top
            # (infra/local/environment.py), and tests and tools see the template's Globals.
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "MOTO_PORT": str(aws_port),
            "MOTO_ALLOW_NONEXISTENT_REGION": "false",
            "POWERTOOLS_SERVICE_NAME": "local",
            "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
            "POWERTOOLS_METRICS_DISABLED": "true",  # no CloudWatch here
            **resolver.shared_environment(),
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    # Metrics are off locally (no CloudWatch); Powertools would warn on every invocation.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    return resolver


class LocalStack:
    def __init__(self, api_port: int = 3000, aws_port: int = 5000) -> None:
        self.api_port = api_port
        self.aws_port = aws_port
        self.resolver = configure_environment(api_port, aws_port)
        self.aws = FakeAws(aws_port)
        self.graph = GraphStandIn()
        self.lambdas = LambdaDispatcher(self.resolver)
        self.event_sources = EventSources(self.resolver, self.lambdas)
        self.faults = Faults(set(self.lambdas.specs))
        self.lambdas.faults = self.faults
        self.provisioned: Provisioned | None = None
        self.users: dict[str, str] = {}
        self.token_verifier: Any = None
        self.gateway: Any = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def aws_url(self) -> str:
        return self.aws.endpoint

    def start(self) -> LocalStack:
        from infra.local.gateway import Gateway

        self.enforcement = sandbox.install()
        self.enforcement.dynamodb_fault = self.faults.on_dynamodb_request
        self.environments = environment.install()
        self.environments.configure(
            {name: dict(spec.environment) for name, spec in self.lambdas.specs.items()}
        )
        self.aws.start()
        self.lambdas.install_into_moto()
        self._provision_and_seed()
        self.event_sources.start()
        self.gateway = Gateway(self, self.api_port)
        self.gateway.start()
        return self

    def _provision_and_seed(self) -> None:
        from infra.local.gateway import TokenVerifier
        from infra.local.seed import seed

        self.provisioned = provision(self.resolver, self.aws_url)
        # Every function and workflow runs with exactly its role's policies, as SAM generated them.
        self.enforcement.policies = {
            logical_id: role.policy_set(session=logical_id.removesuffix("Role"))
            for logical_id, role in self.provisioned.roles.items()
        }
        sandbox.STATE_MACHINE_ROLES.clear()
        sandbox.STATE_MACHINE_ROLES.update(self.provisioned.state_machine_roles)
        self.token_verifier = TokenVerifier(
            self.aws_url, self.provisioned.user_pool_id, self.provisioned.user_pool_client_id
        )
        self.users = seed(self.provisioned, self.aws_url)

    def _stop_workflows(self) -> None:
        sfn = boto3.client("stepfunctions", region_name=REGION, endpoint_url=self.aws_url)
        for machine in sfn.list_state_machines()["stateMachines"]:
            if sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["type"] == "EXPRESS":
                continue  # short-lived, and not listable (as in AWS)
            running = sfn.list_executions(stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING")
            for execution in running["executions"]:
                sfn.stop_execution(executionArn=execution["executionArn"])

    @contextlib.contextmanager
    def function_environment(self, function: str, **variables: str):
        """A function's environment changed for a while (as `aws lambda update-function-configuration`
        would), e.g. SENTIMENT_PROVIDER=comprehend for the tests that exercise Comprehend."""
        own = self.environments.functions[function]
        saved = dict(own)
        own.update(variables)
        try:
            yield
        finally:
            own.clear()
            own.update(saved)

    def reset(self) -> None:
        """Back to a freshly seeded stack: running workflows stopped, all data and outboxes cleared.
        Nothing of the previous test may write into the new tables: the queue pollers pause and every
        invocation still running ends first (stopping the workflows that start meanwhile)."""
        self.faults.clear()  # what is still running ends sooner without them
        with self.event_sources.paused():
            self._quiesce()
            self.aws.reset()
            self._forget_and_seed()

    QUIESCE_SECONDS = 120.0

    def _quiesce(self) -> None:
        deadline = time.monotonic() + self.QUIESCE_SECONDS
        self._stop_workflows()
        while not self.lambdas.wait_idle(timeout=0.5):
            self._stop_workflows()
            if time.monotonic() > deadline:
                log.warning("invocations still running after %.0f s; resetting anyway", self.QUIESCE_SECONDS)
                return

    def _forget_and_seed(self) -> None:
        self.graph.clear()
        self.faults.clear()
        self.lambdas.invocations.clear()
        self.lambdas.errors.clear()
        self.lambdas.error_messages.clear()
        self.clear_caches()
        self._provision_and_seed()

    def inbound_queue_empty(self) -> bool:
        """No item of the inbound queue waiting or in flight: every delivery the webhook queued has been
        handled (tests and `make cost` wait on this, not on time)."""
        sqs = boto3.client("sqs", region_name=REGION, endpoint_url=self.aws_url)
        keys = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        url = self.resolver.ref("InboundQueue")
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=keys)["Attributes"]
        return all(int(attributes[k]) == 0 for k in keys)

    @staticmethod
    def clear_caches() -> None:
        """What warm instances keep between invocations (parameters, KB indexes) dropped, as when every
        function starts cold: a test that counts DynamoDB requests sees the same ones each run."""
        from aws_lambda_powertools.utilities import parameters

        from liveagent.detection import service

        parameters.clear_caches()
        service._indexes.clear()

    def stop(self) -> None:
        if self.gateway:
            self.gateway.stop()
        self.event_sources.stop()
        with contextlib.suppress(Exception):  # stopping anyway
            self._stop_workflows()  # waiting workflows would otherwise fail noisily as the backends go
        self.aws.stop()

    # ---------------------------------------------------------------- what the local routes show
    def dashboard_config(self) -> dict[str, str]:
        assert self.provisioned
        return {
            "region": REGION,
            "userPoolId": self.provisioned.user_pool_id,
            "userPoolClientId": self.provisioned.user_pool_client_id,
            "cognitoEndpoint": self.aws_url,
            "apiBase": self.api_url,
        }

    def dashboard_csp(self) -> str:
        """template.yaml's Content-Security-Policy for the dashboard (DashboardSecurityHeaders), with this
        stack's API and Cognito origins in connect-src instead of AWS's."""
        config = load_template()["Resources"]["DashboardSecurityHeaders"]["Properties"]
        policy = config["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
        text = policy["ContentSecurityPolicy"]
        text = text["Fn::Sub"] if isinstance(text, dict) else text
        origins = " ".join(dict.fromkeys(u.rstrip("/") for u in (self.api_url, self.aws_url)))
        directives = []
        for directive in text.split(";"):
            name = directive.split()[0] if directive.split() else ""
            directives.append(f"connect-src 'self' {origins}" if name == "connect-src" else directive.strip())
        return "; ".join(d for d in directives if d)

    def outputs(self) -> dict[str, str]:
        """The template's Outputs as this stack answers them (what CloudFormation shows for a deployed
        stack), with the local gateway as the API and the fake AWS's endpoint: the operator tools
        (infra.admin, infra.smoke) work on either."""
        values = {}
        for key, output in load_template().get("Outputs", {}).items():
            if "Condition" in output and not self.resolver.condition(output["Condition"]):
                continue
            values[key] = str(self.resolver.resolve(output["Value"]))
        values.update(
            {"ApiUrl": self.api_url, "WebhookUrl": f"{self.api_url}/webhook", "AwsEndpoint": self.aws_url,
             "Region": REGION}
        )  # fmt: skip
        return values

    def outbox(self) -> dict[str, list[dict]]:
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends

        emails = [
            {
                "from": m.source,
                "to": list(m.destinations.get("ToAddresses", [])),
                "subject": m.subject,
                "body": m.body,
            }
            for m in list(ses_backends[ACCOUNT][REGION].sent_messages)
            if hasattr(m, "subject")
        ]
        sms = [
            {"to": phone, "text": text}
            for phone, text in list(sns_backends[ACCOUNT][REGION].sms_messages.values())
        ]
        return {"messages": list(self.graph.messages), "emails": emails, "sms": sms}
