"""The role chain and the inventory against the sandbox (two accounts, trust policies, ABAC)."""

import time
from dataclasses import replace

import pytest

from ssmclient.core.aws.inventory import list_instances
from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.aws.step_errors import StepError
from ssmclient.core.profile_model import ProfileRecord, SourceKind, SourceSettings
from ssmclient.core.profile_store import ProfileStore
from ssmclient.sandbox.client import Sandbox

from aws_fixtures import deny_to_host_role

CONTACT = "cloud-ops@sandbox.invalid"


def _list(chain: RoleChain, record: ProfileRecord, *regions: str) -> list[str]:
    profile = record.profile
    inventory = list_instances(chain.client, profile.instance_tag, regions or profile.all_regions)
    return [i.instance_id for i in inventory.instances]


def test_full_chain_and_listing(alice: Sandbox, store: ProfileStore, record: ProfileRecord) -> None:
    scenario = alice.scenario
    chain = RoleChain.from_record(record, store)
    assert chain.caller_identity() == scenario.alice_user_arn
    hop1 = chain.hop1()
    assert hop1 is not None
    assert hop1.role_arn == scenario.partner_role_arn
    assert ":assumed-role/3P_IAM_Assume_Role/" in hop1.assumed_role_arn
    hop2 = chain.hop2()
    assert hop2.assumed_role_arn.startswith(f"arn:aws:sts::{scenario.host_account}:assumed-role/")

    inventory = list_instances(chain.client, record.profile.instance_tag, [scenario.region])
    by_id = {i.instance_id: i for i in inventory.instances}
    assert set(by_id) == set(scenario.instances_a)  # not B's, not the untagged ones
    assert all(by_id[i].name is None for i in scenario.instances_a_unnamed)
    assert all(
        i.name for i in inventory.instances if i.instance_id not in scenario.instances_a_unnamed
    )
    assert by_id[scenario.instance_a_stopped].state == "stopped"
    assert all(i.tag_value == scenario.tag_value_a for i in inventory.instances)
    assert all(i.region == scenario.region for i in inventory.instances)
    assert any(i.ping_status == "Online" for i in inventory.instances)
    # Named first by name, the unnamed last: the same order every time.
    assert [i.instance_id for i in inventory.instances] == _list(chain, record, scenario.region)

    assert alice.count("AssumeRole") == 2
    callers = [r.caller for r in alice.requests("AssumeRole")]
    assert callers[0] == scenario.alice_user_arn


def test_mfa_on_hop1(alice: Sandbox, store: ProfileStore, record: ProfileRecord) -> None:
    scenario = alice.scenario
    store.update_source(
        record.name,
        SourceSettings(
            source_role_arn=scenario.partner_mfa_role_arn, mfa_serial=scenario.mfa_serial
        ),
    )
    record = store.get(record.name)
    asked: list[str] = []

    def prompt(serial: str) -> str:
        asked.append(serial)
        return scenario.mfa_code

    chain = RoleChain.from_record(record, store, mfa_prompt=prompt)
    assert set(_list(chain, record)) == set(scenario.instances_a)
    assert asked == [scenario.mfa_serial]

    wrong = RoleChain.from_record(record, store, mfa_prompt=lambda _s: "000000")
    with pytest.raises(StepError) as info:
        wrong.hop2()
    assert info.value.step == f"hop 1 ({scenario.partner_mfa_role_arn})"
    assert info.value.code == "AccessDenied"


def test_mfa_role_without_mfa_is_denied_at_hop1(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord
) -> None:
    scenario = alice.scenario
    store.update_source(record.name, SourceSettings(source_role_arn=scenario.partner_mfa_role_arn))
    chain = RoleChain.from_record(store.get(record.name), store)
    with pytest.raises(StepError) as info:
        chain.hop1()
    assert info.value.message.startswith(f"hop 1 ({scenario.partner_mfa_role_arn}): AccessDenied")


def test_wrong_external_id(alice: Sandbox, store: ProfileStore, record: ProfileRecord) -> None:
    from ssmclient.core import secret_store

    store.secrets.set(secret_store.external_id_key(record.id), "WrongExternalID-000")
    chain = RoleChain.from_record(record, store)
    assert chain.hop1() is not None  # hop 1 is fine; the host's role says no
    with pytest.raises(StepError) as info:
        chain.hop2()
    message = info.value.message
    assert message.startswith(f"hop 2 ({alice.scenario.host_role_arn}): AccessDenied")
    assert f"refused this External ID or your role; ask the host: {CONTACT}" in message
    assert "WrongExternalID-000" not in message
    assert alice.scenario.external_id not in message


def test_source_role_that_does_not_exist(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord
) -> None:
    missing = f"arn:aws:iam::{alice.scenario.partner_account}:role/NoSuchRole"
    store.update_source(record.name, SourceSettings(source_role_arn=missing))
    chain = RoleChain.from_record(store.get(record.name), store)
    with pytest.raises(StepError) as info:
        chain.hop2()
    assert info.value.step == f"hop 1 ({missing})"
    assert info.value.code == "AccessDenied"


def test_no_source_role_means_direct_hop2_which_the_host_refuses(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord
) -> None:
    direct = replace(record, profile=replace(record.profile, source_role_arn=None))
    chain = RoleChain.from_record(direct, store)
    assert chain.hop1() is None
    with pytest.raises(StepError) as info:
        chain.hop2()
    assert info.value.step == f"hop 2 ({alice.scenario.host_role_arn})"
    assert info.value.code == "AccessDenied"
    (call,) = alice.requests("AssumeRole")
    assert call.caller == alice.scenario.alice_user_arn


@pytest.mark.parametrize("as_whom", ["partner key", "partner role"])
def test_partner_credentials_cannot_list_the_hosts_instances(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord, as_whom: str
) -> None:
    chain = RoleChain.from_record(record, store)
    if as_whom == "partner key":
        session = chain.source
    else:
        from ssmclient.core.aws.source_credentials import session_with_credentials

        chain.hop1()
        assert chain._hop1 is not None
        session = session_with_credentials(chain._hop1[0], like=chain.source)

    def clients(service: str, region: str | None = None):  # type: ignore[no-untyped-def]
        return session.create_client(service, region_name=region)

    with pytest.raises(StepError) as info:
        list_instances(clients, record.profile.instance_tag, [alice.scenario.region])
    assert info.value.step == f"listing ({alice.scenario.region})"
    assert info.value.code == "UnauthorizedOperation"


def test_two_regions(alice: Sandbox, store: ProfileStore, record: ProfileRecord) -> None:
    scenario = alice.scenario
    chain = RoleChain.from_record(record, store)
    found = _list(chain, record, scenario.region, scenario.second_region)
    assert set(found) == set(scenario.instances_a) | set(scenario.instances_a_second_region)
    # The profile's region first, then the second one.
    assert found[-len(scenario.instances_a_second_region) :] == sorted(
        scenario.instances_a_second_region,
        key=lambda i: found.index(i),
    )
    regions = sorted(r.region or "" for r in alice.requests("DescribeInstances"))
    assert regions == [scenario.region, scenario.second_region]


@pytest.mark.slow
def test_2500_instances_over_pages(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = alice.reseed(2500)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", scenario.alice_access_key_id)  # a new alice
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", scenario.alice_secret_access_key)
    # A page of 1000 instances takes the sandbox a few seconds to write.
    monkeypatch.setenv("SSMCLIENT_AWS_READ_TIMEOUT", "60")
    chain = RoleChain.from_record(record, store)
    inventory = list_instances(
        chain.client, record.profile.instance_tag, [scenario.region], with_ping=False
    )
    assert len(inventory.instances) == 2500
    assert len({i.instance_id for i in inventory.instances}) == 2500
    assert alice.count("DescribeInstances") == 3  # one call per 1000 instances


def test_describe_instance_information_denied_means_ping_unknown(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord
) -> None:
    deny_to_host_role(alice, "ssm:DescribeInstanceInformation")
    chain = RoleChain.from_record(record, store)
    inventory = list_instances(chain.client, record.profile.instance_tag, [alice.scenario.region])
    assert {i.instance_id for i in inventory.instances} == set(alice.scenario.instances_a)
    assert all(i.ping_status is None for i in inventory.instances)
    assert alice.scenario.region in inventory.ping_unreadable
    assert [r.status for r in alice.requests("DescribeInstanceInformation")] == [400]


def test_throttling_and_5xx_are_retried(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord
) -> None:
    alice.inject_fault("AssumeRole", "5xx", count=1)
    alice.inject_fault("DescribeInstances", "throttle", count=2)
    chain = RoleChain.from_record(record, store)
    assert set(_list(chain, record)) == set(alice.scenario.instances_a)
    statuses = [r.status for r in alice.requests("DescribeInstances")]
    assert statuses[-1] == 200
    assert len(statuses) == 3
    assert alice.requests("AssumeRole")[0].status >= 500


def test_latency_past_the_timeout_is_a_clear_error(
    alice: Sandbox,
    store: ProfileStore,
    record: ProfileRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSMCLIENT_AWS_READ_TIMEOUT", "0.5")
    monkeypatch.setenv("SSMCLIENT_AWS_MAX_ATTEMPTS", "2")
    alice.inject_fault("DescribeInstances", "latency", seconds=2)
    chain = RoleChain.from_record(record, store)
    with pytest.raises(StepError) as info:
        _list(chain, record)
    assert info.value.message.startswith(f"listing ({alice.scenario.region}): timed out")
    assert "network" in info.value.message
    # Both attempts reached the sandbox; let their late answers land before the next test.
    deadline = time.monotonic() + 10
    while alice.count("DescribeInstances") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alice.count("DescribeInstances") == 2


def test_credentials_expiring_mid_run_are_refreshed(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord
) -> None:
    alice.set_credential_lifetime(2)
    chain = RoleChain.from_record(record, store)
    chain.hop2()
    time.sleep(2.5)  # both hops' credentials have now expired at the sandbox
    assert set(_list(chain, record)) == set(alice.scenario.instances_a)
    assert alice.count("AssumeRole") > 2
    assert all(r.status == 200 for r in alice.requests())


def test_access_key_from_the_keyring(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = alice.scenario
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store.update_source(
        record.name,
        SourceSettings(kind=SourceKind.ACCESS_KEY),
        (scenario.alice_access_key_id, scenario.alice_secret_access_key),
    )
    chain = RoleChain.from_record(store.get(record.name), store)
    assert chain.caller_identity() == scenario.alice_user_arn


def test_no_credentials_at_all(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    chain = RoleChain.from_record(record, store)
    with pytest.raises(StepError) as info:
        chain.hop2()
    assert info.value.message.startswith("source credentials: no AWS credentials")
