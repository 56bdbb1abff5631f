"""Set up a deployment's businesses and people: tenants, their WhatsApp / Instagram accounts, users.

    python -m infra.admin STACK tenant add --tenant acme --name "Acme Ltd"
    python -m infra.admin STACK channel add --tenant acme --whatsapp 1234567890 --display 15550001111 \\
                                            --token-file token.txt
    python -m infra.admin STACK channel add --tenant acme --instagram 17841400000000001 --token-file token.txt
    python -m infra.admin STACK user add --tenant acme --email ana@acme.com --name "Ana" --permission admin
    python -m infra.admin STACK user add --tenant acme --email bo@acme.com --permission agent \\
                                         --departments support,billing --phone +15550001234
    python -m infra.admin STACK user remove --email bo@acme.com
    python -m infra.admin STACK meta set --app-secret-file app-secret.txt [--instagram-app-secret-file f]
    python -m infra.admin STACK meta verify-token      # what to type into the Meta app's webhook form

STACK is the CloudFormation stack name, or the local stack's URL (infra/target.py). A new user gets a
temporary password by email from Cognito (`--password` sets a permanent one instead, e.g. for a first
admin in an account whose Cognito email is not set up); at the first sign-in the dashboard asks them
to choose their own. Every command says what it did; a wrong argument is refused before anything is
written.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from infra.target import Target, resolve

_TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class Refused(ValueError):
    """A command's arguments cannot be carried out; nothing was written."""


@dataclass
class UserSpec:
    email: str
    tenant: str
    permission: str  # admin | agent
    name: str = ""
    departments: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    phone: str | None = None
    capacity: int = 5
    password: str | None = None  # permanent password; None: Cognito emails a temporary one
    temporary_password: str | None = None  # the temporary one to send (else Cognito makes one up)
    notify_email: bool = True
    status: str = "offline"

    def check(self) -> None:
        if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", self.email):
            raise Refused(f"'{self.email}' is not an email address")
        if self.permission not in ("admin", "agent"):
            raise Refused("permission must be admin or agent")
        if self.phone and not _E164.match(self.phone):
            raise Refused(f"phone '{self.phone}' is not E.164 (+ and country code, e.g. +15550001234)")
        if not 1 <= self.capacity <= 100:
            raise Refused("capacity must be from 1 to 100")


def add_tenant(tenant_id: str, name: str) -> str:
    from liveagent import tenants
    from liveagent.errors import NotFound
    from liveagent.settings import TenantSettings

    if not _TENANT_ID.match(tenant_id):
        raise Refused(
            "tenant id: 2-40 lower-case letters, digits and dashes, starting with a letter or digit"
        )
    try:
        tenants.get_tenant(tenant_id)
        raise Refused(f"tenant '{tenant_id}' exists already")
    except NotFound:
        pass
    tenants.save_tenant(tenant_id, name, TenantSettings())
    return f"tenant {tenant_id} ({name}) created with the default settings"


def _require_tenant(tenant_id: str) -> None:
    from liveagent import tenants
    from liveagent.errors import NotFound

    try:
        tenants.get_tenant(tenant_id)
    except NotFound as exc:
        raise Refused(f"no tenant '{tenant_id}': add it first (tenant add)") from exc


def add_channel(
    target: Target, tenant_id: str, channel: str, account_id: str, token: str | None, display: str = "",
    *, test_mode: bool = False,
) -> str:  # fmt: skip
    """One WhatsApp number (phone_number_id) or Instagram account of a tenant, with its Graph API token
    kept in Secrets Manager (<stack>/graph/<tenant>)."""
    from liveagent.channels import channel_key
    from liveagent.channels.accounts import ChannelModel, find_channel

    _require_tenant(tenant_id)
    if not re.match(r"^\d{5,20}$", account_id):
        raise Refused(f"'{account_id}' is not a Meta account id (digits only)")
    existing = find_channel(channel, account_id)
    if existing is not None and existing.tenant_id != tenant_id:
        raise Refused(f"{channel} account {account_id} already belongs to tenant '{existing.tenant_id}'")
    secret = f"{target.outputs['GraphTokenSecretPrefix']}{tenant_id}"
    if token is not None:
        secrets = target.client("secretsmanager")
        try:
            secrets.put_secret_value(SecretId=secret, SecretString=token)
        except secrets.exceptions.ResourceNotFoundException:
            secrets.create_secret(
                Name=secret, SecretString=token, Description=f"Graph API token of {tenant_id}"
            )
    elif not test_mode:
        raise Refused("give the Graph API access token (--token-file)")
    ChannelModel(
        channel_key(channel, account_id),
        tenant_id=tenant_id,
        channel=channel,
        account_id=account_id,
        display=display,
        token_secret=secret,
        test_mode=test_mode,
    ).save()
    return f"{channel} account {account_id} now belongs to tenant {tenant_id} (token in {secret})"


def remove_channel(channel: str, account_id: str) -> str:
    from liveagent.channels import channel_key
    from liveagent.channels.accounts import ChannelModel

    ChannelModel(channel_key(channel, account_id)).delete()
    return f"{channel} account {account_id} removed"


def add_user(target: Target, spec: UserSpec) -> str:
    """A Cognito user in the tenant (group admin|agent, custom:tenant_id) and their team record (id =
    the user's sub), in that order; a team record is never left without its user."""
    from liveagent.agents import AgentModel, NotifySettings

    spec.check()
    _require_tenant(spec.tenant)
    cognito = target.client("cognito-idp")
    pool = target.outputs["UserPoolId"]
    create = {
        "UserPoolId": pool,
        "Username": spec.email,
        "UserAttributes": [
            {"Name": "email", "Value": spec.email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "custom:tenant_id", "Value": spec.tenant},
        ],
        "DesiredDeliveryMediums": ["EMAIL"],
    }
    if spec.password:
        create["MessageAction"] = "SUPPRESS"  # no invitation: the password is set below
    elif spec.temporary_password:
        create["TemporaryPassword"] = spec.temporary_password
    try:
        cognito.admin_create_user(**create)
    except cognito.exceptions.UsernameExistsException as exc:
        raise Refused(f"a user {spec.email} exists already") from exc
    try:
        if spec.password:
            cognito.admin_set_user_password(
                UserPoolId=pool, Username=spec.email, Password=spec.password, Permanent=True
            )
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=spec.email, GroupName=spec.permission)
        attributes = cognito.admin_get_user(UserPoolId=pool, Username=spec.email)["UserAttributes"]
        sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
        AgentModel(
            spec.tenant,
            sub,
            email=spec.email,
            name=spec.name or spec.email.split("@")[0],
            permission=spec.permission,
            departments=spec.departments,
            roles=spec.roles,
            capacity=spec.capacity,
            status=spec.status,
            open_count=0,
            phone=spec.phone,
            notify=NotifySettings(email=spec.notify_email, sms=bool(spec.phone), in_app=True),
        ).save()
    except Exception:
        cognito.admin_delete_user(UserPoolId=pool, Username=spec.email)  # all or nothing
        raise
    how = "with the password given" if spec.password else "Cognito emailed a temporary password"
    return f"{spec.permission} {spec.email} added to tenant {spec.tenant} (id {sub}); {how}"


def remove_user(target: Target, email: str) -> str:
    from liveagent.agents import AgentModel

    cognito = target.client("cognito-idp")
    pool = target.outputs["UserPoolId"]
    try:
        user = cognito.admin_get_user(UserPoolId=pool, Username=email)
    except cognito.exceptions.UserNotFoundException as exc:
        raise Refused(f"no user {email}") from exc
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    AgentModel(attributes["custom:tenant_id"], attributes["sub"]).delete()
    cognito.admin_delete_user(UserPoolId=pool, Username=email)
    return f"user {email} removed"


def set_meta_secrets(target: Target, app_secret: str | None, instagram_app_secret: str | None) -> str:
    """The Meta app secret(s) in the stack's secret, the generated verify token kept."""
    import json

    secrets = target.client("secretsmanager")
    name = target.outputs["MetaSecretName"]
    current = json.loads(secrets.get_secret_value(SecretId=name)["SecretString"])
    for key, value in (("app_secret", app_secret), ("instagram_app_secret", instagram_app_secret)):
        if value is not None:
            if not re.match(r"^[0-9a-f]{32}$", value):
                raise Refused(f"{key}: a Meta app secret is 32 hexadecimal characters")
            current[key] = value
    secrets.put_secret_value(SecretId=name, SecretString=json.dumps(current))
    return f"{name}: app secret(s) set; verify token kept (the webhook reads them within 5 minutes)"


def verify_token(target: Target) -> str:
    import json

    secret = target.client("secretsmanager").get_secret_value(SecretId=target.outputs["MetaSecretName"])
    return json.loads(secret["SecretString"])["verify_token"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m infra.admin", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("stack", help="stack name, or the local stack's URL")
    parser.add_argument("--region")
    things = parser.add_subparsers(dest="thing", required=True)
    tenant = things.add_parser("tenant").add_subparsers(dest="verb", required=True)
    add = tenant.add_parser("add")
    add.add_argument("--tenant", required=True)
    add.add_argument("--name", required=True)
    channel = things.add_parser("channel").add_subparsers(dest="verb", required=True)
    for verb in ("add", "remove"):
        sub = channel.add_parser(verb)
        sub.add_argument("--tenant", required=verb == "add")
        which = sub.add_mutually_exclusive_group(required=True)
        which.add_argument("--whatsapp", metavar="PHONE_NUMBER_ID")
        which.add_argument("--instagram", metavar="ACCOUNT_ID")
        if verb == "add":
            sub.add_argument("--display", default="", help="the number as customers see it")
            sub.add_argument("--token-file", type=Path, help="file holding the Graph API access token")
    user = things.add_parser("user").add_subparsers(dest="verb", required=True)
    add = user.add_parser("add")
    add.add_argument("--tenant", required=True)
    add.add_argument("--email", required=True)
    add.add_argument("--permission", choices=["admin", "agent"], required=True)
    add.add_argument("--name", default="")
    add.add_argument("--departments", default="", help="comma-separated")
    add.add_argument("--roles", default="", help="comma-separated")
    add.add_argument("--phone", help="E.164, for SMS alerts")
    add.add_argument("--capacity", type=int, default=5)
    passwords = add.add_mutually_exclusive_group()
    passwords.add_argument(
        "--password", help="a permanent password instead of Cognito's emailed temporary one"
    )
    passwords.add_argument(
        "--temporary-password", help="the temporary password Cognito emails (else its own)"
    )
    remove = user.add_parser("remove")
    remove.add_argument("--email", required=True)
    meta = things.add_parser("meta").add_subparsers(dest="verb", required=True)
    secret = meta.add_parser("set")
    secret.add_argument("--app-secret-file", type=Path)
    secret.add_argument(
        "--instagram-app-secret-file", type=Path, help="when Instagram runs under its own app"
    )
    meta.add_parser("verify-token")
    return parser


def _read(path: Path | None) -> str | None:
    return path.read_text().strip() if path else None


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    target = resolve(args.stack, args.region)
    target.activate()
    try:
        if args.thing == "tenant":
            print(add_tenant(args.tenant, args.name))
        elif args.thing == "meta":
            if args.verb == "verify-token":
                print(verify_token(target))
            else:
                print(
                    set_meta_secrets(
                        target, _read(args.app_secret_file), _read(args.instagram_app_secret_file)
                    )
                )
        elif args.thing == "channel":
            kind, account = ("whatsapp", args.whatsapp) if args.whatsapp else ("instagram", args.instagram)
            if args.verb == "remove":
                print(remove_channel(kind, account))
            else:
                print(add_channel(target, args.tenant, kind, account, _read(args.token_file), args.display))
        elif args.verb == "add":
            spec = UserSpec(email=args.email, tenant=args.tenant, permission=args.permission, name=args.name,
                            departments=_names(args.departments), roles=_names(args.roles), phone=args.phone,
                            capacity=args.capacity, password=args.password,
                            temporary_password=args.temporary_password)  # fmt: skip
            print(add_user(target, spec))
        else:
            print(remove_user(target, args.email))
    except Refused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
