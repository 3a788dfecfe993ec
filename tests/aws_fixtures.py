"""Fixtures for tests that talk to the sandbox as a partner: alice's environment, an imported
profile, the role chain, and the recording stand-in plugin. Loaded as a pytest plugin.

The sandbox server runs in this process (`aws_sandbox`); botocore reaches it only
through AWS_ENDPOINT_URL, as it would reach AWS.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.paths import config_dir
from ssmclient.core.profile_file import read_profile_file
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.core.profile_store import ProfileStore
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import install_stand_in, read_records


@pytest.fixture
def no_aws_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """None of the developer's AWS settings reach the test."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name == "SSMCLIENT_MFA_CODE":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def alice(aws_sandbox: Sandbox, no_aws_settings: None, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """This process acts as alice (her keys through the default chain) against the sandbox."""
    for name, value in aws_sandbox.env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    # Short enough that a latency test fails fast, long enough for a busy CI machine.
    monkeypatch.setenv("SSMCLIENT_AWS_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("SSMCLIENT_AWS_READ_TIMEOUT", "5")
    return aws_sandbox


@pytest.fixture
def store() -> ProfileStore:
    return ProfileStore(config_dir())


@pytest.fixture
def record(alice: Sandbox, store: ProfileStore) -> ProfileRecord:
    """The host's A profile, imported as a partner would."""
    return store.save_import(read_profile_file(alice.scenario.profile_file)).record


@pytest.fixture
def chain(record: ProfileRecord, store: ProfileStore) -> RoleChain:
    return RoleChain.from_record(record, store)


def assert_ssmclient_invocation(record: dict[str, Any]) -> None:
    """ssmclient's own policy for calling the plugin, stricter than what the plugin accepts:
    the response in the environment (never in argv), all seven arguments, the hop-2
    credentials and region in the environment with no AWS_PROFILE to override, and no
    profile but the credential feed's."""
    argv = record["argv"]
    if argv[1:] == ["--version"]:
        return
    assert len(argv) == 7, argv
    assert (argv[1], record["response_in"]) == ("AWS_SSM_START_SESSION_RESPONSE", "env")
    assert argv[3] == "StartSession"
    present = set(record["env_present"])
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} <= present
    assert record["env"].get("AWS_REGION") == argv[2]
    assert not present & {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"}, present
    if argv[4]:
        # The credential feed: its profile, in its own AWS config, and the key to ask it.
        assert argv[4] == "ssmclient-session"
        assert {"AWS_CONFIG_FILE", "SSMCLIENT_CREDENTIAL_FEED"} <= present
        assert record["env"]["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull


@pytest.fixture
def plugin_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The recording stand-in plugin, found through SSMCLIENT_PLUGIN; yields its record file.

    Afterwards, every invocation ssmclient made is checked against its own policy
    (the stand-in, like the real plugin, accepts more)."""
    record_to = tmp_path / "plugin-record.jsonl"
    plugin = install_stand_in(tmp_path / "plugin-bin", record_to=record_to)
    monkeypatch.setenv("SSMCLIENT_PLUGIN", str(plugin))
    yield record_to
    for record in read_records(record_to):
        assert_ssmclient_invocation(record)


def deny_to_host_role(sandbox: Sandbox, *actions: str) -> None:
    """The host (as its administrator) adds an explicit deny of `actions` to party A's role,
    as a host tightening the role would; the next reset reseeds the scenario."""
    import boto3

    scenario = sandbox.scenario
    iam = boto3.client(
        "iam",
        region_name=scenario.region,
        endpoint_url=sandbox.endpoint_url,
        aws_access_key_id=scenario.host_admin_access_key_id,
        aws_secret_access_key=scenario.host_admin_secret_access_key,
    )
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": list(actions), "Resource": "*"}],
    }
    iam.put_role_policy(
        RoleName=scenario.host_role_arn.rsplit("/", 1)[-1],
        PolicyName="TestDeny",
        PolicyDocument=json.dumps(document),
    )
