"""The instance table model and its search/sort proxy: model contract, search, sort, inert text."""

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from ssmclient.core.aws.instance import Instance
from ssmclient.gui.models.instance_table import (
    INSTANCE_ID,
    NAME,
    PRIVATE_IP,
    SSM,
    STATE,
    TAG,
    InstanceFilterProxy,
    InstanceTableModel,
)


def instance(n: int, **changes: object) -> Instance:
    fields: dict[str, object] = {
        "instance_id": f"i-{n:017x}",
        "name": f"app-{n:04d}",
        "state": "running",
        "private_ip": f"10.0.{n // 256}.{n % 256}",
        "public_ip": None,
        "platform": "Linux/UNIX",
        "region": "us-east-1",
        "availability_zone": "us-east-1a",
        "launch_time": datetime(2026, 1, 1, tzinfo=UTC),
        "tag_value": "Third_Party_A",
        "ping_status": None,
    }
    fields.update(changes)
    return Instance(**fields)  # type: ignore[arg-type]


@pytest.fixture
def model() -> InstanceTableModel:
    return InstanceTableModel("ExternalAccessGrantedTo")


def test_models_pass_qtmodeltester(qtmodeltester: ModelTester, model: InstanceTableModel) -> None:
    model.add_instances([instance(n) for n in range(20)])
    qtmodeltester.check(model)
    proxy = InstanceFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search("app-001")
    qtmodeltester.check(proxy)
    proxy.sort(NAME, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)


def test_headers_name_the_columns_and_the_access_tag(model: InstanceTableModel) -> None:
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]
    assert headers[:4] == ["Name", "Instance ID", "State", "SSM"]
    assert headers[TAG] == "ExternalAccessGrantedTo"


def test_rows_arrive_by_page_then_pings_fill_in(model: InstanceTableModel) -> None:
    model.add_instances([instance(n) for n in range(3)])
    model.add_instances([instance(n) for n in range(3, 5)])
    assert model.rowCount() == 5
    assert model.index(0, SSM).data() == "…"  # not known yet
    model.set_inventory([instance(n, ping_status="Online") for n in range(5)])
    assert {model.index(r, SSM).data() for r in range(5)} == {"Online"}
    model.set_inventory([instance(n, ping_status="Online") for n in range(2)])
    assert model.rowCount() == 2  # instances no longer listed go away


def test_search_matches_any_shown_column_case_blind(model: InstanceTableModel) -> None:
    model.add_instances([instance(1), instance(2, name="DB-primary"), instance(3, state="stopped")])
    proxy = InstanceFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search("db-PRIM")
    assert [proxy.index(r, NAME).data() for r in range(proxy.rowCount())] == ["DB-primary"]
    proxy.set_search("STOPPED")
    assert proxy.rowCount() == 1
    proxy.set_search("10.0.0.1")
    assert proxy.rowCount() == 1
    proxy.set_search(instance(2).instance_id[-5:])
    assert proxy.rowCount() == 1
    proxy.set_search("  ")
    assert proxy.rowCount() == 3


def test_sort_by_ip_is_numeric_and_keeps_persistent_indexes(model: InstanceTableModel) -> None:
    model.add_instances(
        [instance(1, private_ip="10.0.0.10"), instance(2, private_ip="10.0.0.9"), instance(3)]
    )
    proxy = InstanceFilterProxy()
    proxy.setSourceModel(model)
    kept = model.index(model.row_of(instance(2).instance_id) or 0, 0)
    from PySide6.QtCore import QPersistentModelIndex

    persistent = QPersistentModelIndex(kept)
    proxy.sort(PRIVATE_IP, Qt.SortOrder.AscendingOrder)
    ips = [proxy.index(r, PRIVATE_IP).data() for r in range(3)]
    assert ips == ["10.0.0.3", "10.0.0.9", "10.0.0.10"]
    assert model.instance_at(persistent.row()).instance_id == instance(2).instance_id


def test_unnamed_instances_sort_last_and_say_so(model: InstanceTableModel) -> None:
    model.add_instances([instance(1, name=None), instance(2, name="b"), instance(3, name="A")])
    model.sort(NAME, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, NAME).data() for r in range(3)] == ["A", "b", "(no name)"]


HOSTILE = [
    "\x1b]0;owned\x07title",  # an OSC title change and BEL
    "\x1b[2J\x1b[Hcleared",  # clear screen, cursor home
    "invoice\u202egnp.exe",  # right-to-left override
    "<b>bold</b><img src=x>",  # rich text
    "zero\u200bwidth",
    "tag\U000e0041hidden",  # a tag character above U+FFFF
]


@pytest.mark.parametrize("name", HOSTILE)
def test_host_written_names_are_shown_inert(model: InstanceTableModel, name: str) -> None:
    model.add_instances([instance(1, name=name, tag_value=name, platform=name)])
    for column in (NAME, TAG):
        shown = model.index(0, column).data()
        assert all(ch.isprintable() for ch in shown), shown
        assert "\u202e" not in shown
        assert "\x1b" not in shown
    if name.startswith("<b>"):
        assert model.index(0, NAME).data() == name  # shown as typed, never interpreted


def test_long_values_are_cut_with_an_ellipsis(model: InstanceTableModel) -> None:
    model.add_instances([instance(1, name="n" * 256), instance(2, name="x" * 100_000)])
    for row in range(2):
        text = model.index(row, NAME).data()
        assert len(text) <= 120
        assert text.endswith("…")


def test_state_and_ping_have_icons(model: InstanceTableModel) -> None:
    model.add_instances([instance(1, ping_status="Online")])
    assert model.index(0, STATE).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(0, SSM).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(0, INSTANCE_ID).data(Qt.ItemDataRole.DecorationRole) is None
