"""The listing's clients, made ahead while the sign-in waits on AWS (`clients_ahead`).

Against the sandbox, whose request log says when the sign-in's AssumeRole
calls came and which key signed each listing call.
"""

import threading
import time
from dataclasses import replace
from typing import Any

import pytest

from ssmclient.core.aws.inventory import (
    clients_ahead,
    list_instances,
    make_clients,
    sign_in_with_clients,
)
from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.aws.step_errors import StepError
from ssmclient.core.errors import InputError
from ssmclient.core.profile_model import ProfileRecord, SourceSettings
from ssmclient.core.profile_store import ProfileStore
from ssmclient.sandbox.client import Sandbox


def test_clients_are_made_once_the_sign_in_waits_and_list_as_the_host_role(
    alice: Sandbox, chain: RoleChain, record: ProfileRecord
) -> None:
    scenario = alice.scenario
    regions = [scenario.region, scenario.second_region]
    # Long enough to see the sign-in wait, and the clients made meanwhile.
    alice.inject_fault("AssumeRole", "latency", seconds=1.0)
    made = clients_ahead(chain.client, regions, chain.sign_in_idle)
    time.sleep(0.3)  # ample to make them: but nothing is made before the sign-in starts
    assert not made.done()
    assert not chain.sign_in_idle.is_set()
    signing_in = threading.Thread(target=chain.hop2)
    signing_in.start()
    try:
        clients = made.result(timeout=30)
        assert chain.signed_in is None  # made while the first AssumeRole was on its way
        assert sorted(clients.ec2) == sorted(regions)
        assert sorted(clients.ssm) == sorted(regions)
    finally:
        signing_in.join(30)
    assert alice.count("AssumeRole") == 2

    inventory = list_instances(clients, record.profile.instance_tag, regions)
    assert {i.instance_id for i in inventory.instances} == set(scenario.instances_a) | set(
        scenario.instances_a_second_region
    )
    assert any(i.ping_status == "Online" for i in inventory.instances)
    assert alice.count("AssumeRole") == 2  # the clients use the sign-in, not one of their own
    listed = alice.requests("DescribeInstances")
    host_key = chain.credentials().get_frozen_credentials().access_key
    assert listed
    assert all(r.access_key_id == host_key for r in listed)


def test_the_sign_in_is_idle_once_its_first_request_is_sent(
    alice: Sandbox, chain: RoleChain
) -> None:
    alice.inject_fault("AssumeRole", "latency", seconds=1.0)
    signing_in = threading.Thread(target=chain.hop2)
    signing_in.start()
    try:
        assert chain.sign_in_idle.wait(30)
        assert chain.signed_in is None
        assert alice.count("AssumeRole") == 0  # hop 1's is sent, not yet answered
    finally:
        signing_in.join(30)
    assert chain.signed_in is not None


def test_a_sign_in_that_fails_before_any_request_still_lets_the_clients_be_made(
    alice: Sandbox, chain: RoleChain
) -> None:
    # An MFA device and nothing to ask for its code: refused before any request.
    needs_mfa = replace(
        chain.settings, mfa_serial=f"arn:aws:iam::{alice.scenario.partner_account}:mfa/alice"
    )
    broken = RoleChain(chain.source, needs_mfa)
    made = clients_ahead(broken.client, [alice.scenario.region], broken.sign_in_idle)
    with pytest.raises(InputError):
        broken.hop2()
    clients = made.result(timeout=10)  # not left waiting for a sign-in that has ended
    assert list(clients.ec2) == [alice.scenario.region]
    assert alice.count("AssumeRole") == 0


def test_a_client_that_cannot_be_made_is_the_listing_s_error(chain: RoleChain) -> None:
    started = threading.Event()
    started.set()
    made = clients_ahead(chain.client, ["not a region"], started)
    with pytest.raises(StepError) as info:
        made.result(timeout=30)
    assert "not a region" in info.value.message
    with pytest.raises(StepError):
        make_clients(chain.client, ["not a region"])


def test_clients_listed_with_a_hook_once_do_not_keep_it(
    alice: Sandbox, chain: RoleChain, record: ProfileRecord
) -> None:
    regions = [alice.scenario.region]
    clients = make_clients(chain.client, regions)
    calls: list[str] = []
    list_instances(
        clients, record.profile.instance_tag, regions, before_parse=lambda: calls.append("x")
    )
    assert calls
    before = len(calls)
    list_instances(clients, record.profile.instance_tag, regions)
    assert len(calls) == before


def test_the_sign_in_is_idle_while_it_asks_for_an_mfa_code(
    alice: Sandbox, store: ProfileStore, record: ProfileRecord
) -> None:
    scenario = alice.scenario
    store.update_source(
        record.name,
        SourceSettings(
            source_role_arn=scenario.partner_mfa_role_arn, mfa_serial=scenario.mfa_serial
        ),
    )
    idle_when_asked: list[bool] = []

    def prompt(_serial: str) -> str:
        idle_when_asked.append(chain.sign_in_idle.is_set())
        return scenario.mfa_code

    chain = RoleChain.from_record(store.get(record.name), store, mfa_prompt=prompt)
    chain.hop2()
    assert idle_when_asked == [True]  # a person types: the clients are made meanwhile


def test_a_failed_sign_in_returns_once_the_clients_are_made(
    alice: Sandbox, chain: RoleChain
) -> None:
    idle = threading.Event()
    made: list[str] = []

    def slow_clients(service: str, region: str | None = None) -> Any:
        time.sleep(0.2)
        client = chain.client(service, region)
        made.append(service)
        return client

    def sign_in() -> None:
        idle.set()
        raise InputError("MFA code: refused here")

    with pytest.raises(InputError):
        sign_in_with_clients(sign_in, slow_clients, [alice.scenario.region], idle)
    assert made == ["ec2", "ssm"]  # the caller may make clients of the same session next


def test_a_sign_in_comes_back_with_the_clients(alice: Sandbox, chain: RoleChain) -> None:
    hop, clients = sign_in_with_clients(
        chain.hop2, chain.client, [alice.scenario.region], chain.sign_in_idle
    )
    assert hop == chain.signed_in
    assert list(clients.ec2) == list(clients.ssm) == [alice.scenario.region]
