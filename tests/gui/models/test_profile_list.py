"""The profile list: the name first, then the sign-in state."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytestqt.modeltest import ModelTester

from ssmclient.core.paths import config_dir
from ssmclient.core.profile_file import read_profile_file
from ssmclient.core.profile_store import ProfileStore
from ssmclient.gui.models.profile_list import ProfileListModel
from ssmclient.sandbox.client import Sandbox


def test_items_start_with_the_name_and_carry_the_state(
    qtmodeltester: ModelTester, alice: Sandbox, tmp_path: Path
) -> None:
    store = ProfileStore(config_dir())
    record = store.save_import(read_profile_file(alice.scenario.profile_file)).record
    model = ProfileListModel()
    model.set_records([record])
    qtmodeltester.check(model)
    assert model.index(0).data() == f"{record.name}\nnot signed in"
    model.set_state(record.id, "signed in, expires in 59 min")
    assert model.index(0).data().endswith("expires in 59 min")
    model.set_records([record])  # a reload keeps the state
    assert model.index(0).data().endswith("expires in 59 min")


def test_an_expired_profile_says_so(alice: Sandbox) -> None:
    from dataclasses import replace

    store = ProfileStore(config_dir())
    record = store.save_import(read_profile_file(alice.scenario.profile_file)).record
    past = datetime.now(UTC) - timedelta(days=1)
    expired = replace(record, profile=replace(record.profile, expires=past))
    model = ProfileListModel()
    model.set_records([expired])
    assert model.index(0).data().endswith("profile expired")
