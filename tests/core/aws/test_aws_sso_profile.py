"""Hop 1 from a named AWS-config profile using SSO, resolved by botocore from its token cache."""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ssmclient.core.aws.inventory import list_instances
from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.aws.step_errors import StepError
from ssmclient.core.profile_model import ProfileRecord, SourceKind, SourceSettings
from ssmclient.core.profile_store import ProfileStore
from ssmclient.sandbox.client import Sandbox

START_URL = "https://sandbox-partner.awsapps.com/start"


@pytest.fixture
def sso_home(alice: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME whose AWS config has an SSO profile and a valid cached SSO access token."""
    home = tmp_path / "home"
    aws_dir = home / ".aws"
    cache = aws_dir / "sso" / "cache"
    cache.mkdir(parents=True)
    (aws_dir / "config").write_text(
        "[profile partner-sso]\n"
        f"sso_start_url = {START_URL}\n"
        "sso_region = us-east-1\n"
        f"sso_account_id = {alice.scenario.partner_account}\n"
        "sso_role_name = PartnerEngineer\n"
        "region = us-east-1\n",
        encoding="utf-8",
    )
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    token = {
        "startUrl": START_URL,
        "region": "us-east-1",
        "accessToken": "sandbox-sso-access-token",
        "expiresAt": expires,
    }
    name = hashlib.sha1(START_URL.encode(), usedforsecurity=False).hexdigest() + ".json"
    (cache / name).write_text(json.dumps(token), encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    # botocore computes ~/.aws/sso/cache when it is imported, long before this
    # test set HOME: point it at the same place a fresh process would use.
    import botocore.credentials
    import botocore.tokens

    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(aws_dir / "config"))
    # Only SSO may supply credentials: alice's keys leave the environment.
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    return home


def test_sso_profile_drives_the_whole_chain(
    alice: Sandbox, sso_home: Path, store: ProfileStore, record: ProfileRecord
) -> None:
    store.update_source(
        record.name, SourceSettings(kind=SourceKind.AWS_PROFILE, aws_profile="partner-sso")
    )
    chain = RoleChain.from_record(store.get(record.name), store)
    identity = chain.caller_identity()
    assert identity.startswith(f"arn:aws:sts::{alice.scenario.partner_account}:assumed-role/")
    assert "AWSReservedSSO_PartnerEngineer" in identity
    inventory = list_instances(chain.client, record.profile.instance_tag, [alice.scenario.region])
    assert {i.instance_id for i in inventory.instances} == set(alice.scenario.instances_a)
    assert alice.count("GetRoleCredentials") == 1
    assert alice.count("AssumeRole") == 2


def test_unknown_aws_profile_is_a_source_error(
    alice: Sandbox, sso_home: Path, store: ProfileStore, record: ProfileRecord
) -> None:
    store.update_source(
        record.name, SourceSettings(kind=SourceKind.AWS_PROFILE, aws_profile="no-such-profile")
    )
    with pytest.raises(StepError) as info:
        RoleChain.from_record(store.get(record.name), store)
    assert info.value.message.startswith("source credentials: the AWS config profile")


def test_an_expired_sso_sign_in_names_the_login_to_run(
    sso_home: Path, record: ProfileRecord, store: ProfileStore
) -> None:
    cache = sso_home / ".aws" / "sso" / "cache"
    for cached in cache.iterdir():
        token = json.loads(cached.read_text(encoding="utf-8"))
        token["expiresAt"] = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        cached.write_text(json.dumps(token), encoding="utf-8")
    store.update_source(
        record.name, SourceSettings(SourceKind.AWS_PROFILE, aws_profile="partner-sso")
    )
    chain = RoleChain.from_record(store.get(record.name), store)
    with pytest.raises(StepError) as info:
        chain.hop2()
    assert "`aws sso login --profile partner-sso`" in info.value.message
