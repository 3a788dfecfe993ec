"""A deployed host-party-role.yaml stack, read from its outputs."""

from dataclasses import dataclass
from typing import Any

from ssmclient.core.errors import SsmClientError
from ssmclient.core.host.host_clients import host_error
from ssmclient.core.text import quoted


@dataclass(frozen=True)
class PartyStack:
    name: str
    role_arn: str
    region: str
    tag_key: str
    tag_value: str
    party_name: str | None
    source_role_arn: str | None
    source_identity: bool


def read_party_stack(cloudformation: Any, stack_name: str) -> PartyStack:
    step = f"stack {quoted(stack_name)}"
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except Exception as exc:
        raise host_error(exc, step, "cloudformation:DescribeStacks") from None
    if not stacks:
        raise SsmClientError(f"{step}: no such stack")
    stack = stacks[0]
    outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs") or []}
    missing = [key for key in ("RoleArn", "TagValue") if not outputs.get(key)]
    if missing:
        raise SsmClientError(
            f"{step}: has no {' or '.join(missing)} output (status {stack.get('StackStatus')}); "
            "deploy resources/host/host-party-role.yaml, or give --role-arn and the rest"
        )
    region = outputs.get("Region") or cloudformation.meta.region_name
    return PartyStack(
        name=stack_name,
        role_arn=outputs["RoleArn"],
        region=region,
        tag_key=outputs.get("TagKey") or "ExternalAccessGrantedTo",
        tag_value=outputs["TagValue"],
        party_name=outputs.get("PartyName") or None,
        source_role_arn=outputs.get("SourceRoleArn") or None,
        source_identity=outputs.get("SourceIdentity", "false").lower() == "true",
    )
