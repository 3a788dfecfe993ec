"""What IAM says about a party role: its trust policy, permissions, boundary and tags."""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ssmclient.core.aws import naming
from ssmclient.core.aws.iam_policy import as_list, statements
from ssmclient.core.errors import InputError
from ssmclient.core.host.host_clients import host_error

READ_PERMISSIONS = (
    "iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, "
    "iam:GetPolicy and iam:GetPolicyVersion"
)


@dataclass(frozen=True)
class NamedPolicy:
    name: str  # the inline policy's name, or the managed policy's ARN
    document: dict[str, Any]
    managed: bool = False


@dataclass(frozen=True)
class RoleFacts:
    arn: str
    name: str
    role_id: str
    account: str
    trust_policy: dict[str, Any]
    policies: tuple[NamedPolicy, ...]
    tags: dict[str, str]
    boundary: NamedPolicy | None
    max_session_duration: int


def _document(raw: Any) -> dict[str, Any]:
    # botocore decodes IAM's URL-encoded JSON already; a stray string is decoded here.
    if isinstance(raw, dict):
        return raw
    value = json.loads(unquote(str(raw)))
    return value if isinstance(value, dict) else {}


def _managed(iam: Any, arn: str) -> dict[str, Any]:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    answer = iam.get_policy_version(PolicyArn=arn, VersionId=version)
    return _document(answer["PolicyVersion"]["Document"])


def read_role(iam: Any, role_arn: str) -> RoleFacts:
    parsed = naming.parse_role_arn(role_arn)
    if isinstance(parsed, str):
        raise InputError(f"--role-arn: {parsed}")
    step = f"reading {role_arn}"
    try:
        role = iam.get_role(RoleName=parsed.name)["Role"]
        policies: list[NamedPolicy] = []
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=parsed.name):
            for name in page["PolicyNames"]:
                answer = iam.get_role_policy(RoleName=parsed.name, PolicyName=name)
                policies.append(NamedPolicy(name, _document(answer["PolicyDocument"])))
        pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=parsed.name)
        for page in pages:
            for attached in page["AttachedPolicies"]:
                arn = attached["PolicyArn"]
                policies.append(NamedPolicy(arn, _managed(iam, arn), managed=True))
        boundary = None
        boundary_arn = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary_arn:
            boundary = NamedPolicy(boundary_arn, _managed(iam, boundary_arn), managed=True)
    except Exception as exc:
        raise host_error(exc, step, READ_PERMISSIONS) from None
    if role.get("Arn") != role_arn:
        raise InputError(
            f"--role-arn: these credentials see {role.get('Arn')} under that name; "
            "use the host account's credentials and the role's exact ARN"
        )
    return RoleFacts(
        arn=role["Arn"],
        name=role["RoleName"],
        role_id=role["RoleId"],
        account=parsed.account,
        trust_policy=_document(role["AssumeRolePolicyDocument"]),
        policies=tuple(policies),
        tags={tag["Key"]: tag["Value"] for tag in role.get("Tags") or []},
        boundary=boundary,
        max_session_duration=int(role.get("MaxSessionDuration") or 3600),
    )


def trusted_external_ids(trust_policy: dict[str, Any]) -> list[str]:
    """Every External ID an Allow statement of the trust policy accepts (StringEquals)."""
    found: list[str] = []
    for statement in statements(trust_policy):
        if statement.get("Effect") != "Allow":
            continue
        for operator, block in (statement.get("Condition") or {}).items():
            if operator.lower() != "stringequals" or not isinstance(block, dict):
                continue
            for key, values in block.items():
                if key.lower() == "sts:externalid":
                    found.extend(str(v) for v in as_list(values) if str(v) not in found)
    return found
