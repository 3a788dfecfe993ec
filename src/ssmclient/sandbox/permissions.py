"""Which identity may call which EC2 and SSM action: the scenario's IAM policies, applied.

moto's policy engine ignores `ssm:resourceTag/...` and cross-account rules, so
the layer applies the scenario's policies itself: the host roles (the roles
that carry the instance-tag key) may describe instances and use Session
Manager; the partner's own identities (alice, the partner roles, SSO sessions)
hold no EC2 or SSM permission at all, exactly as in the blog's setup.
"""

from ssmclient.sandbox import moto_store
from ssmclient.sandbox.identities import Identity
from ssmclient.sandbox.scenario import TAG_KEY

HOST_ROLE_EC2_ACTIONS = frozenset({"DescribeInstances", "DescribeTags", "DescribeRegions"})
HOST_ROLE_SSM_ACTIONS = frozenset(
    {
        "StartSession",
        "TerminateSession",
        "ResumeSession",
        "DescribeSessions",
        "DescribeInstanceInformation",
    }
)


def access_tag(identity: Identity) -> str | None:
    """The caller's role's ExternalAccessGrantedTo tag: what ABAC compares with instances."""
    if identity.role_arn is None:
        return None
    role = moto_store.find_role(identity.role_arn)
    return None if role is None else role.tags.get(TAG_KEY)


def run_as(identity: Identity) -> str | None:
    if identity.role_arn is None:
        return None
    role = moto_store.find_role(identity.role_arn)
    return None if role is None else role.tags.get("SSMSessionRunAs")


def may_call(identity: Identity, service: str, action: str) -> bool:
    if identity.kind == "admin":
        return True
    if not identity.is_role_session or access_tag(identity) is None:
        return False
    if service == "ec2":
        return action in HOST_ROLE_EC2_ACTIONS
    if service == "ssm":
        return action in HOST_ROLE_SSM_ACTIONS
    return False


def not_authorized(identity: Identity, service: str, action: str, resource: str | None) -> str:
    """AWS's wording of an implicit deny."""
    on = f" on resource: {resource}" if resource else ""
    return (
        f"User: {identity.arn} is not authorized to perform: {service}:{action}{on} "
        f"because no identity-based policy allows the {service}:{action} action"
    )
