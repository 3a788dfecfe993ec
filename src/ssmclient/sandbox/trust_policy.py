"""Evaluating a role's trust policy against one sts:AssumeRole call, as IAM does.

The evaluation itself is the core's (`core.aws.iam_policy`, which fails closed
on what it does not understand); this module supplies the request context an
AssumeRole call carries.
"""

from collections.abc import Mapping
from typing import Any

from ssmclient.core.aws.iam_policy import Decision, Request, decide
from ssmclient.sandbox.identities import Identity

ASSUME_ROLE = "sts:AssumeRole"
SET_SOURCE_IDENTITY = "sts:SetSourceIdentity"


def may_assume(
    policy: Mapping[str, Any],
    caller: Identity,
    *,
    external_id: str | None,
    mfa_present: bool,
    source_identity: str | None,
) -> bool:
    """Whether the trust policy lets `caller` make this AssumeRole call."""
    context: dict[str, str | None] = {
        "sts:ExternalId": external_id,
        "aws:MultiFactorAuthPresent": "true" if mfa_present else None,
        "sts:SourceIdentity": source_identity,
        "aws:SourceIdentity": caller.source_identity,
        "aws:PrincipalAccount": caller.account,
        "aws:PrincipalArn": caller.role_arn or caller.arn,
        "aws:userid": caller.user_id,
    }
    principal = caller.as_principal()
    if decide([policy], Request(ASSUME_ROLE, principal, None, context)) is not Decision.ALLOW:
        return False
    return source_identity is None or (
        decide([policy], Request(SET_SOURCE_IDENTITY, principal, None, context)) is Decision.ALLOW
    )
