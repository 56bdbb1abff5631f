"""Who is calling the API: the verified Cognito claims that API Gateway's authorizer passes on.

The tenant comes only from the token (custom:tenant_id), never from the path, query or body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from liveagent.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class Caller:
    id: str
    tenant_id: str
    permission: str  # "admin" | "agent"
    username: str

    @property
    def is_admin(self) -> bool:
        return self.permission == "admin"

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("this needs an admin")


def parse_groups(raw: Any) -> set[str]:
    """cognito:groups arrives as a list, "admin,agent", or "[admin agent]" depending on the authorizer."""
    if isinstance(raw, list):
        return {str(g) for g in raw}
    return {g for g in re.split(r"[\s,\[\]]+", str(raw or "")) if g}


def caller_from_claims(claims: dict[str, Any] | None) -> Caller:
    if not claims or not claims.get("sub") or not claims.get("custom:tenant_id"):
        raise Unauthorized("sign in first: a valid Cognito IdToken is required")
    groups = parse_groups(claims.get("cognito:groups"))
    if "admin" in groups:
        permission = "admin"
    elif "agent" in groups:
        permission = "agent"
    else:
        raise Forbidden("your user is in neither the admin nor the agent group")
    return Caller(
        id=claims["sub"],
        tenant_id=claims["custom:tenant_id"],
        permission=permission,
        username=claims.get("cognito:username") or claims.get("email") or claims["sub"],
    )
