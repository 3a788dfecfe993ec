"""Helpers for the sandbox's own tests: boto3 clients acting as alice and along the chain."""

from collections.abc import Callable
from typing import Any

import botocore.config
import botocore.session

from ssmclient.sandbox.client import Sandbox

NO_RETRIES = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})

ClientFactory = Callable[..., Any]
# One botocore session for all clients: it caches the service models, which makes a
# client cost a millisecond instead of a hundred. Keys are passed per client, and
# the session reads no config files, so nothing of the user's AWS setup leaks in.
_SESSION = botocore.session.Session()
_SESSION.set_config_variable("config_file", "/dev/null")
_SESSION.set_config_variable("credentials_file", "/dev/null")


def make_client(
    sandbox: Sandbox,
    service: str,
    credentials: dict[str, str] | None = None,
    *,
    region: str | None = None,
    config: botocore.config.Config = NO_RETRIES,
) -> Any:
    """A boto3 client against the sandbox; alice's keys unless `credentials` (STS shape) given."""
    scenario = sandbox.scenario
    if credentials is None:
        keys = {
            "aws_access_key_id": scenario.alice_access_key_id,
            "aws_secret_access_key": scenario.alice_secret_access_key,
        }
    else:
        keys = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
        }
        if "SessionToken" in credentials:
            keys["aws_session_token"] = credentials["SessionToken"]
    create: Any = _SESSION.create_client
    return create(
        service,
        region_name=region or scenario.region,
        endpoint_url=sandbox.endpoint_url,
        config=config,
        **keys,
    )


def host_admin(sandbox: Sandbox) -> dict[str, str]:
    """The host administrator's long-term keys (STS shape, no session token)."""
    scenario = sandbox.scenario
    return {
        "AccessKeyId": scenario.host_admin_access_key_id,
        "SecretAccessKey": scenario.host_admin_secret_access_key,
    }


def hop1(sandbox: Sandbox, **extra: Any) -> dict[str, str]:
    sts = make_client(sandbox, "sts")
    answer = sts.assume_role(
        RoleArn=sandbox.scenario.partner_role_arn, RoleSessionName="alice", **extra
    )
    credentials: dict[str, str] = answer["Credentials"]
    return credentials


def hop2(
    sandbox: Sandbox, *, role_arn: str | None = None, external_id: str | None = None, **extra: Any
) -> dict[str, str]:
    scenario = sandbox.scenario
    sts = make_client(sandbox, "sts", hop1(sandbox))
    answer = sts.assume_role(
        RoleArn=role_arn or scenario.host_role_arn,
        RoleSessionName="alice",
        ExternalId=external_id or scenario.external_id,
        **extra,
    )
    credentials: dict[str, str] = answer["Credentials"]
    return credentials
