"""The host role's clients, made before the sign-in: their first request signs in, once.

Against the sandbox: its request log says which AssumeRole calls were made and
which access key signed each request.
"""

import threading

import pytest

from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.aws.step_errors import StepError
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.core.profile_store import ProfileStore
from ssmclient.sandbox.client import Sandbox


def _list_one(client: object) -> None:
    client.describe_instances(MaxResults=5)  # type: ignore[attr-defined]


def test_making_a_client_does_not_sign_in(alice: Sandbox, chain: RoleChain) -> None:
    ec2 = chain.client("ec2")
    assert alice.count("AssumeRole") == 0
    assert chain.signed_in is None
    _list_one(ec2)
    assert alice.count("AssumeRole") == 2  # hop 1, hop 2: on the first request
    assert chain.signed_in is not None
    [listed] = alice.requests("DescribeInstances")
    assert listed.status == 200
    assert listed.caller is not None
    assert listed.caller.startswith(f"arn:aws:sts::{alice.scenario.host_account}:assumed-role/")
    _list_one(ec2)
    assert alice.count("AssumeRole") == 2


def test_requests_from_several_threads_sign_in_once(alice: Sandbox, chain: RoleChain) -> None:
    ec2 = chain.client("ec2")
    # Slow enough that every thread asks while the first sign-in is under way.
    alice.inject_fault("AssumeRole", "latency", seconds=0.3)
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def ask() -> None:
        start.wait()
        try:
            _list_one(ec2)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert alice.count("AssumeRole") == 2
    assert alice.count("DescribeInstances") == 6


def test_clients_made_before_use_the_credentials_of_a_new_sign_in(
    alice: Sandbox, chain: RoleChain
) -> None:
    alice.set_credential_lifetime(600)  # too short for a plugin: ensure_fresh chains again
    ec2 = chain.client("ec2")
    _list_one(ec2)
    alice.set_credential_lifetime(None)
    chain.ensure_fresh()
    assert alice.count("AssumeRole") == 3
    _list_one(ec2)
    first, second = alice.requests("DescribeInstances")
    assert first.access_key_id != second.access_key_id
    assert second.access_key_id == chain.credentials().get_frozen_credentials().access_key


def test_a_refused_sign_in_is_the_first_requests_error(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord
) -> None:
    from ssmclient.core import secret_store

    store.secrets.set(secret_store.external_id_key(record.id), "WrongExternalID-000")
    chain = RoleChain.from_record(record, store)
    ec2 = chain.client("ec2")
    with pytest.raises(StepError) as info:
        _list_one(ec2)
    assert info.value.message.startswith(f"hop 2 ({alice.scenario.host_role_arn}): AccessDenied")
    assert alice.count("DescribeInstances") == 0
