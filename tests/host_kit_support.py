"""Deploying the host kit's templates (resources/host/) into the sandbox, for the tests."""

from pathlib import Path
from typing import Any

import boto3
import botocore.config

from ssmclient.sandbox.client import Sandbox

HOST_KIT = Path(__file__).resolve().parents[1] / "resources" / "host"


def keys_of(sandbox: Sandbox, who: str) -> dict[str, str]:
    """The long-term keys of "host-admin", "partner-admin" or "alice"."""
    scenario = sandbox.scenario
    prefix = {"host-admin": "host_admin", "partner-admin": "partner_admin", "alice": "alice"}[who]
    return {
        "AccessKeyId": getattr(scenario, f"{prefix}_access_key_id"),
        "SecretAccessKey": getattr(scenario, f"{prefix}_secret_access_key"),
    }


def client(sandbox: Sandbox, service: str, who: str = "host-admin") -> Any:
    keys = keys_of(sandbox, who)
    return boto3.client(
        service,
        region_name=sandbox.scenario.region,
        endpoint_url=sandbox.endpoint_url,
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )


def deploy(
    sandbox: Sandbox, name: str, template: str, who: str = "host-admin", **values: str
) -> dict[str, str]:
    """Create the stack; its outputs."""
    cfn = client(sandbox, "cloudformation", who)
    cfn.create_stack(
        StackName=name,
        TemplateBody=(HOST_KIT / template).read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def deploy_party_stack(
    sandbox: Sandbox,
    name: str,
    *,
    external_id: str,
    tag_value: str,
    party: str = "ThirdPartyC",
    partner_role: str = "3P_IAM_Assume_Role",
) -> dict[str, str]:
    return deploy(
        sandbox,
        name,
        "host-party-role.yaml",
        PartyName=party,
        TagValue=tag_value,
        PartnerAccountId=sandbox.scenario.partner_account,
        PartnerRoleName=partner_role,
        ExternalId=external_id,
    )
