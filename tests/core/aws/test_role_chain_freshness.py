"""How long hop 2's credentials last, and chaining again (hop 2 only) before a plugin starts.

Against the sandbox: `set_credential_lifetime` caps the credentials it issues
from then on, and its request log counts the AssumeRole calls.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ssmclient.core.aws.role_chain import PLUGIN_MIN_LIFETIME, RoleChain
from ssmclient.core.profile_file import read_profile_file
from ssmclient.core.profile_model import ImportedProfile
from ssmclient.core.profile_store import ProfileStore
from ssmclient.sandbox.client import Sandbox


def access_key(chain: RoleChain) -> str:
    """The key that clients made now sign with."""
    credentials = chain.host_session().get_credentials()
    assert credentials is not None
    return credentials.get_frozen_credentials().access_key


def test_nothing_is_known_before_hop2(alice: Sandbox, chain: RoleChain) -> None:
    assert chain.signed_in is None
    assert chain.seconds_left() is None
    chain.hop1()
    assert chain.signed_in is None  # hop 1 alone is not signed in to the host
    assert chain.seconds_left() is None
    assert alice.count("AssumeRole") == 1


def test_signed_in_is_hop2s_result(alice: Sandbox, chain: RoleChain) -> None:
    hop2 = chain.hop2()
    assert chain.signed_in == hop2
    assert chain.signed_in.assumed_role_arn.startswith(
        f"arn:aws:sts::{alice.scenario.host_account}:assumed-role/"
    )
    left = chain.seconds_left()
    assert left is not None
    assert 3500 < left <= 3600
    assert chain.seconds_left(now=hop2.expiration) == 0


def test_short_credentials_are_chained_again_hop2_only(alice: Sandbox, chain: RoleChain) -> None:
    alice.set_credential_lifetime(600)
    first = chain.hop2()
    before = chain.seconds_left()
    old_key = access_key(chain)
    assert before is not None
    assert before <= 600
    assert alice.count("AssumeRole") == 2
    hop1_caller = alice.requests("AssumeRole")[1].caller  # hop 2's caller: hop 1's session

    alice.set_credential_lifetime(None)
    fresh = chain.ensure_fresh()
    requests = alice.requests("AssumeRole")
    assert len(requests) == 3  # exactly one more: hop 2
    assert requests[2].caller == hop1_caller  # made with hop 1's credentials, not alice's
    assert requests[2].caller != alice.scenario.alice_user_arn
    assert fresh.expiration > first.expiration
    assert chain.signed_in == fresh
    after = chain.seconds_left()
    assert after is not None
    assert after > before + 2000
    assert access_key(chain) != old_key  # clients made from now on use the new credentials
    assert alice.count("AssumeRole") == 3

    chain.ensure_fresh()  # now fresh enough: nothing more
    assert alice.count("AssumeRole") == 3


def test_full_hour_credentials_need_nothing(alice: Sandbox, chain: RoleChain) -> None:
    hop2 = chain.hop2()
    key = access_key(chain)
    assert alice.count("AssumeRole") == 2
    assert chain.ensure_fresh() is hop2
    assert chain.ensure_fresh(PLUGIN_MIN_LIFETIME) is hop2
    assert alice.count("AssumeRole") == 2
    assert access_key(chain) == key


def test_ensure_fresh_before_hop2_signs_in(alice: Sandbox, chain: RoleChain) -> None:
    hop2 = chain.ensure_fresh()
    assert chain.signed_in == hop2
    assert alice.count("AssumeRole") == 2


def test_an_explicit_minimum(alice: Sandbox, chain: RoleChain) -> None:
    alice.set_credential_lifetime(600)
    chain.hop2()
    chain.ensure_fresh(300)  # 600 s left is more than 300
    assert alice.count("AssumeRole") == 2
    chain.ensure_fresh(700)  # and less than 700
    assert alice.count("AssumeRole") == 3


def test_the_minimum_is_capped_at_half_the_session_duration(
    alice: Sandbox, chain: RoleChain
) -> None:
    chain.hop2()  # a full hour: the profile's duration is 3600 s
    assert chain.settings.duration == 3600
    chain.ensure_fresh(5000)  # more than any credentials can have: asks for 1800 s instead
    assert alice.count("AssumeRole") == 2


@pytest.fixture
def short_session_chain(alice: Sandbox, store: ProfileStore) -> RoleChain:
    """The host's profile with a 20-minute session_duration."""
    imported = read_profile_file(alice.scenario.profile_file)
    profile = replace(imported.profile, session_duration=1200)
    record = store.save_import(ImportedProfile(profile, imported.external_id)).record
    return RoleChain.from_record(record, store)


def test_a_short_session_duration_lowers_the_default_minimum(
    alice: Sandbox, short_session_chain: RoleChain
) -> None:
    chain = short_session_chain
    assert chain.settings.duration == 1200
    alice.set_credential_lifetime(800)  # less than the plugin's 15 minutes, more than 1200 / 2
    chain.hop2()
    left = chain.seconds_left()
    assert left is not None
    assert 600 < left < PLUGIN_MIN_LIFETIME
    chain.ensure_fresh()
    assert alice.count("AssumeRole") == 2  # 600 s is what such a host's sessions can give
    chain.ensure_fresh(10_000)  # capped at 600 s too
    assert alice.count("AssumeRole") == 2


def test_a_short_session_duration_still_refreshes_below_half(
    alice: Sandbox, short_session_chain: RoleChain
) -> None:
    alice.set_credential_lifetime(500)
    short_session_chain.hop2()
    short_session_chain.ensure_fresh()  # 500 s left is less than 1200 / 2
    assert alice.count("AssumeRole") == 3


def test_seconds_left_follows_botocores_own_refresh(alice: Sandbox, chain: RoleChain) -> None:
    alice.set_credential_lifetime(200)  # inside the credentials' advisory window at once
    chain.hop2()
    alice.set_credential_lifetime(None)
    access_key(chain)  # botocore refreshes hop 2 here, with a full hour
    assert alice.count("AssumeRole") == 3
    left = chain.seconds_left()
    assert left is not None
    assert left > 3000  # the renewed credentials' hour, not the first ones' ~200 s
    assert chain.signed_in is not None
    assert chain.signed_in.expiration > datetime.now(UTC) + timedelta(seconds=3000)
    chain.ensure_fresh()  # fresh enough: no needless AssumeRole
    assert alice.count("AssumeRole") == 3
