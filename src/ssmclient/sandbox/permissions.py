"""Which identity may call which EC2 and SSM action: the identities' own IAM policies, applied.

moto's policy engine ignores `ssm:resourceTag/...`, policy variables and
cross-account rules, so the layer evaluates the caller's identity-based
policies itself (with the core's evaluator, `core.aws.iam_policy`), with the
request context IAM would build: the principal's tags, `aws:userid`, the
resource's tags. Whatever a host deployed (the seeded scenario, or a template
deployed through CloudFormation) is what is enforced. The seeding keys act as
the account's root and may do anything.
"""

from collections.abc import Mapping

from ssmclient.core.aws.iam_policy import Decision, Request, decide
from ssmclient.sandbox import moto_store
from ssmclient.sandbox.identities import Identity

RUN_AS_TAG = "SSMSessionRunAs"
# SSM tags each session with the starter's aws:userid, unless the role session
# name holds a comma; "only your own sessions" policies compare this tag.
SESSION_OWNER_TAG = "aws:ssmmessages:session-id"


def principal_tags(identity: Identity) -> dict[str, str]:
    if identity.role_arn is None:
        return {}
    role = moto_store.find_role(identity.role_arn)
    return {} if role is None else dict(role.tags)


def run_as(identity: Identity) -> str | None:
    return principal_tags(identity).get(RUN_AS_TAG)


def _context(
    identity: Identity, region: str, resource_tags: Mapping[str, str]
) -> dict[str, str | None]:
    context: dict[str, str | None] = {
        "aws:userid": identity.user_id,
        "aws:PrincipalArn": identity.role_arn or identity.arn,
        "aws:PrincipalAccount": identity.account,
        "aws:PrincipalType": "AssumedRole" if identity.is_role_session else "User",
        "aws:SourceIdentity": identity.source_identity,
        "aws:MultiFactorAuthPresent": "true" if identity.mfa_present else "false",
        "aws:RequestedRegion": region,
    }
    if not identity.is_role_session:
        context["aws:username"] = identity.arn.rsplit("/", 1)[-1]
    for key, value in principal_tags(identity).items():
        context[f"aws:PrincipalTag/{key}"] = value
    for key, value in resource_tags.items():
        context[f"aws:ResourceTag/{key}"] = value
        context[f"ssm:resourceTag/{key}"] = value
        context[f"ec2:ResourceTag/{key}"] = value
    return context


def decision(
    identity: Identity,
    action: str,
    resource: str,
    region: str,
    resource_tags: Mapping[str, str] | None = None,
) -> Decision:
    """IAM's answer for `action` (e.g. "ssm:StartSession") on `resource`."""
    if identity.kind == "admin":
        return Decision.ALLOW
    policies = moto_store.identity_policies(identity.role_arn or identity.arn)
    context = _context(identity, region, resource_tags or {})
    return decide(policies, Request(action, identity.as_principal(), resource, context))


def allows(
    identity: Identity,
    action: str,
    resource: str,
    region: str,
    resource_tags: Mapping[str, str] | None = None,
) -> bool:
    return decision(identity, action, resource, region, resource_tags) is Decision.ALLOW


def mentions(identity: Identity, text: str) -> bool:
    """Whether any of the caller's policies uses `text` (a condition key, say)."""
    if identity.kind == "admin":
        return False
    policies = moto_store.identity_policies(identity.role_arn or identity.arn)
    return any(text in str(policy) for policy in policies)


def not_authorized(
    identity: Identity, service: str, action: str, resource: str | None, *, explicit: bool = False
) -> str:
    """AWS's wording of a deny."""
    on = f" on resource: {resource}" if resource else ""
    why = (
        "with an explicit deny in an identity-based policy"
        if explicit
        else f"because no identity-based policy allows the {service}:{action} action"
    )
    return f"User: {identity.arn} is not authorized to perform: {service}:{action}{on} {why}"
