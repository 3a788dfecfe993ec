"""The partner's journey through the window, against the sandbox: import, sign in, list, act."""

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from ssmclient.cli.main import main
from ssmclient.core.aws.instance import Instance
from ssmclient.core.paths import config_dir
from ssmclient.core.profile_store import ProfileStore
from ssmclient.gui.main_window import PAGE_EMPTY, PAGE_TABLE, MainWindow
from ssmclient.gui.models.instance_table import INSTANCE_ID, NAME, STATE, prepare_rows
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import read_records

from .conftest import PROFILE_NAME, WAIT_MS, import_and_sign_in


def sessions(record_to: Path) -> list[dict[str, object]]:
    """The plugin's session invocations (not the `--version` calls of plugin discovery)."""
    return [r for r in read_records(record_to) if r["argv"][1:] != ["--version"]]


def shown_ids(window: MainWindow) -> list[str]:
    proxy = window.proxy
    return [proxy.index(row, INSTANCE_ID).data() for row in range(proxy.rowCount())]


def select(window: MainWindow, instance_id: str) -> None:
    row = window.model.row_of(instance_id)
    assert row is not None, instance_id
    index = window.proxy.mapFromSource(window.model.index(row, 0))
    window.table.selectionModel().select(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def cli_instances(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["instances", "--profile", PROFILE_NAME, "--json"]) == 0
    listed: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return listed


def test_first_start_shows_the_empty_state(window: MainWindow) -> None:
    assert window.pages.currentIndex() == PAGE_EMPTY
    assert window.session_status.text() == "Not signed in"
    assert window.session_status.accessibleDescription() == "Not signed in"
    assert not window.connect_button.isEnabled()


def test_the_table_holds_exactly_what_the_cli_lists(
    qtbot: QtBot, signed_in: MainWindow, capsys: pytest.CaptureFixture[str]
) -> None:
    window = signed_in
    assert window.pages.currentIndex() == PAGE_TABLE
    listed = cli_instances(capsys)
    assert sorted(shown_ids(window)) == sorted(str(i["instance_id"]) for i in listed)
    assert len(listed) == 6
    for item in listed:
        row = window.model.row_of(str(item["instance_id"]))
        assert row is not None
        instance = window.model.instance_at(row)
        assert instance.to_json() == item
    # The SSM column is filled once DescribeInstanceInformation has answered.
    pings = {window.model.index(r, 3).data() for r in range(window.model.rowCount())}
    assert "Online" in pings
    assert "…" not in pings


def test_sign_in_shows_the_assumed_role_and_the_time_left(
    signed_in: MainWindow, alice: Sandbox
) -> None:
    text = signed_in.session_status.text()
    assert "assumed-role/SSMStartSession_IAM_Role_ThirdPartyA/" in text
    assert "expires in" in text
    assert "min" in text
    assert signed_in.session_status.accessibleDescription() == text
    state = signed_in.profile_model.index(0).data()
    assert state.startswith(PROFILE_NAME + "\n")
    assert "signed in, expires in" in state


def test_the_status_line_follows_the_sign_in_and_the_listing(
    qtbot: QtBot, window: MainWindow, alice: Sandbox, plugin_record: Path
) -> None:
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    import_and_sign_in(qtbot, window, alice.scenario.profile_file)
    said = [m for m in messages if m]
    signing = said.index(f"Signing in to {PROFILE_NAME}…")
    listing = said.index(f"Listing the instances of {PROFILE_NAME}…")
    assert signing < listing
    assert said[-1].startswith("6 instance(s) listed in ")


def test_search_filters_as_you_type_and_sort_orders(
    qtbot: QtBot, signed_in: MainWindow, alice: Sandbox
) -> None:
    window = signed_in
    stopped = alice.scenario.instance_a_stopped
    qtbot.keyClicks(window.search, "stopped")
    assert shown_ids(window) == [stopped]
    window.search.clear()
    qtbot.keyClicks(window.search, stopped[-6:].upper())  # any column, any case
    assert shown_ids(window) == [stopped]
    window.search.clear()
    assert len(shown_ids(window)) == 6

    window.table.sortByColumn(STATE, Qt.SortOrder.DescendingOrder)
    states = [window.proxy.index(r, STATE).data() for r in range(window.proxy.rowCount())]
    assert states == sorted(states, reverse=True)
    window.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
    names = [window.proxy.index(r, NAME).data() for r in range(window.proxy.rowCount())]
    assert names[-1] == "(no name)"  # unnamed instances last
    assert names[:-1] == sorted(names[:-1], key=str.casefold)


def test_refresh_keeps_the_selection(qtbot: QtBot, signed_in: MainWindow, alice: Sandbox) -> None:
    window = signed_in
    target = alice.scenario.instances_a[2]
    select(window, target)
    with qtbot.waitSignal(window.listing_finished, timeout=WAIT_MS):
        window.refresh_button.click()
    chosen = window.selected_instance()
    assert chosen is not None
    assert chosen.instance_id == target


def test_connect_hands_the_session_to_a_terminal_window(
    qtbot: QtBot,
    signed_in: MainWindow,
    alice: Sandbox,
    plugin_record: Path,
    fake_terminal: Path,
) -> None:
    window = signed_in
    target = alice.scenario.instances_a[0]
    select(window, target)
    window.connect_button.click()
    qtbot.waitUntil(lambda: bool(sessions(plugin_record)), timeout=WAIT_MS)
    [record] = sessions(plugin_record)
    assert json.loads(record["argv"][5]) == {"Target": target}
    # The window outlives the plugin's first hour: it feeds it through its profile.
    assert record["argv"][4] == "ssmclient-session"
    assert "AWS_SESSION_TOKEN" in record["env_present"]
    assert "AWS_PROFILE" not in record["env_present"]
    qtbot.waitUntil(lambda: "opened in a" in window.statusBar().currentMessage())
    assert window.error_banner.isHidden()
    assert alice.count("StartSession") == 1


def test_enter_on_a_row_connects(
    qtbot: QtBot,
    signed_in: MainWindow,
    alice: Sandbox,
    plugin_record: Path,
    fake_terminal: Path,
) -> None:
    window = signed_in
    select(window, alice.scenario.instances_a[1])
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(sessions(plugin_record)), timeout=WAIT_MS)


def test_no_display_is_reported_at_once(
    qtbot: QtBot, signed_in: MainWindow, alice: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("TERMINAL", "xterm")
    window = signed_in
    select(window, alice.scenario.instances_a[0])
    window.connect_button.click()
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=3000)
    assert "no display" in window.error_banner.message
    assert window.error_banner.label.accessibleDescription() == window.error_banner.message


def test_a_terminal_that_dies_at_once_is_reported_within_seconds(
    qtbot: QtBot,
    signed_in: MainWindow,
    alice: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = tmp_path / "broken-term"
    broken.write_text("#!/bin/sh\necho 'cannot open display: :9' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("TERMINAL", str(broken))
    monkeypatch.setenv("DISPLAY", ":9")
    window = signed_in
    select(window, alice.scenario.instances_a[0])
    window.connect_button.click()
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=3000)
    message = window.error_banner.message
    assert "exited at once with status 3" in message
    assert "cannot open display: :9" in message
    # The session that was started for it is terminated again.
    qtbot.waitUntil(lambda: alice.count("TerminateSession") == 1, timeout=WAIT_MS)


def test_a_stopped_instance_says_why(
    qtbot: QtBot, signed_in: MainWindow, alice: Sandbox, fake_terminal: Path
) -> None:
    window = signed_in
    select(window, alice.scenario.instance_a_stopped)
    window.connect_button.click()
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=WAIT_MS)
    assert "TargetNotConnected" in window.error_banner.message
    assert window.connect_button.isEnabled()  # still usable


def test_an_instance_of_another_party_is_denied(
    qtbot: QtBot, signed_in: MainWindow, alice: Sandbox, fake_terminal: Path
) -> None:
    window = signed_in
    foreign = alice.scenario.instances_b[0]
    row = window.model.instance_at(0)
    window.model.add_instances([Instance(**{**row.__dict__, "instance_id": foreign})])
    select(window, foreign)
    window.connect_button.click()
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=WAIT_MS)
    assert "AccessDenied" in window.error_banner.message
    assert foreign in window.error_banner.message


def test_a_bad_file_shows_the_parsers_line_and_stores_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.ssmprofile"
    bad.write_text('{"format": "ssmclient-profile", "version": 1, "role_arm": "x"}')
    window.import_file(str(bad))
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=WAIT_MS)
    assert "role_arm" in window.error_banner.message
    assert ProfileStore(config_dir()).profiles() == []
    window.error_banner.dismiss.click()
    assert window.error_banner.isHidden()


def test_mfa_is_asked_in_a_dialog(
    qtbot: QtBot, window: MainWindow, alice: Sandbox, plugin_record: Path
) -> None:
    scenario = alice.scenario

    def with_mfa(dialog: object) -> None:
        from ssmclient.gui.dialogs.sign_in_dialog import SignInDialog

        assert isinstance(dialog, SignInDialog)
        dialog.mfa.setText(scenario.mfa_serial)
        dialog.role.setText(scenario.partner_mfa_role_arn)

    from ssmclient.gui.dialogs.mfa_dialog import MfaDialog

    answered: list[str] = []

    def answer() -> bool:
        dialogs = [d for d in window.findChildren(MfaDialog) if d.isVisible()]
        if not dialogs:
            return False
        dialogs[0].code.setText(scenario.mfa_code)
        dialogs[0].ok.click()
        answered.append("yes")
        return True

    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(lambda: answered or answer())
    timer.start(50)
    import_and_sign_in(qtbot, window, scenario.profile_file, with_mfa)
    timer.stop()
    assert answered == ["yes"]
    assert window.model.rowCount() == 6
    # The MFA role trusts alice only with MFA: the listing proves the code went with hop 1.
    assert "3P_IAM_Assume_Role_MFA" not in window.error_banner.message


def test_cancelling_the_mfa_dialog_is_a_clear_error(
    qtbot: QtBot, window: MainWindow, alice: Sandbox
) -> None:
    scenario = alice.scenario

    def with_mfa(dialog: object) -> None:
        dialog.mfa.setText(scenario.mfa_serial)  # type: ignore[attr-defined]

    from PySide6.QtCore import QTimer

    from ssmclient.gui.dialogs.mfa_dialog import MfaDialog

    def cancel() -> None:
        for dialog in window.findChildren(MfaDialog):
            if dialog.isVisible():
                dialog.reject()

    timer = QTimer()
    timer.timeout.connect(cancel)
    timer.start(50)
    import_and_sign_in(qtbot, window, scenario.profile_file, with_mfa)
    timer.stop()
    assert "MFA code: cancelled" in window.error_banner.message


def test_port_forward_start_list_and_stop(
    qtbot: QtBot, signed_in: MainWindow, alice: Sandbox
) -> None:
    window = signed_in
    target = alice.scenario.instances_a[0]
    select(window, target)
    from ssmclient.gui.dialogs.port_forward_dialog import PortForwardDialog

    window.forward_button.click()
    [dialog] = [d for d in window.findChildren(PortForwardDialog) if d.isVisible()]
    dialog.preset.setCurrentIndex(3)  # PostgreSQL
    assert dialog.remote_port.text() == "5432"
    dialog.start.click()
    qtbot.waitUntil(lambda: window.forward_list.count() == 1, timeout=WAIT_MS)
    text = window.forward_list.item(0).text()
    assert text.startswith("localhost:")
    assert text.endswith(":5432")
    assert window.forward_list.isVisible()
    [forwarding] = window.forwards
    assert forwarding.forward.running
    window.copy_forward_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == f"localhost:{forwarding.forward.local_port}"
    window.stop_forward_button.click()
    assert window.forward_list.count() == 0
    qtbot.waitUntil(lambda: not forwarding.forward.running, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: alice.count("TerminateSession") >= 1, timeout=WAIT_MS)


def test_closing_the_window_stops_the_forwards(
    qtbot: QtBot, signed_in: MainWindow, alice: Sandbox
) -> None:
    window = signed_in
    select(window, alice.scenario.instances_a[0])
    instance = window.selected_instance()
    assert instance is not None
    assert window.current is not None
    started: list[object] = []
    window.current.forward(
        instance, 22, None, None, window.settings, started.append, lambda f: started.append(f)
    )
    qtbot.waitUntil(lambda: bool(started), timeout=WAIT_MS)
    forwarding = started[0]
    window.forwards.append(forwarding)  # type: ignore[arg-type]
    window.close()
    assert not forwarding.forward.running  # type: ignore[attr-defined]
    assert alice.count("TerminateSession") >= 1


def test_short_credentials_are_chained_again_before_a_connect(
    qtbot: QtBot,
    window: MainWindow,
    alice: Sandbox,
    plugin_record: Path,
    fake_terminal: Path,
) -> None:
    alice.set_credential_lifetime(600)  # 10 minutes: less than a plugin must get
    import_and_sign_in(qtbot, window, alice.scenario.profile_file)
    assert "expires in 9 min" in window.session_status.text()
    before = alice.count("AssumeRole")
    alice.set_credential_lifetime(None)
    select(window, alice.scenario.instances_a[0])
    window.connect_button.click()
    qtbot.waitUntil(lambda: bool(sessions(plugin_record)), timeout=WAIT_MS)
    assert alice.count("AssumeRole") == before + 1  # hop 2 again, before StartSession
    qtbot.waitUntil(lambda: "expires in 59 min" in window.session_status.text(), timeout=5000)


def test_switching_profiles_drops_the_old_listing(
    qtbot: QtBot, signed_in: MainWindow, alice: Sandbox
) -> None:
    window = signed_in
    token = window._token
    window._page_arrived(token - 1, [window.model.instance_at(0)], threading.Event())  # stale
    assert window.model.rowCount() == 6
    alice.inject_fault("DescribeInstances", "latency", count=1, seconds=1.0)
    window.refresh()
    window.cancel_button.click()
    assert window.progress_widget.isHidden()
    qtbot.wait(1500)
    assert "Cancelled" in window.statusBar().currentMessage()


def test_the_listing_goes_on_once_its_page_is_in_the_table(
    qtbot: QtBot, signed_in: MainWindow
) -> None:
    from dataclasses import replace

    window = signed_in
    page = [
        replace(instance, instance_id=f"i-{n:017x}")
        for n, instance in enumerate(window.model.instances())
    ]
    shown = threading.Event()
    window._page_arrived(window._token, prepare_rows(page), shown)
    assert not shown.is_set()  # the rows are inserted at the next turn, then painted
    qtbot.waitUntil(shown.is_set, timeout=WAIT_MS)
    assert window.model.row_of(page[0].instance_id) is not None
    # A page of a listing no longer shown is dropped, and its listing let go at once.
    stale = threading.Event()
    window._page_arrived(window._token - 1, prepare_rows(page[:1]), stale)
    assert stale.is_set()
    # So is a page still waiting when the window closes.
    unseen = threading.Event()
    window._page_arrived(window._token, prepare_rows(page[:1]), unseen)
    window.close()
    assert unseen.is_set()


def test_a_page_is_painted_once_when_all_its_rows_are_in(
    qtbot: QtBot, signed_in: MainWindow
) -> None:
    from dataclasses import replace

    from PySide6.QtCore import QEvent, QObject

    window = signed_in
    template = window.model.instances()[0]
    page = [replace(template, instance_id=f"i-{n:017x}") for n in range(1000)]  # 5 turns

    class Paints(QObject):
        count = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    qtbot.wait(100)  # what the sign-in left to paint is painted
    paints = Paints()
    window.table.viewport().installEventFilter(paints)
    shown = threading.Event()
    window._page_arrived(window._token, prepare_rows(page), shown)
    qtbot.waitUntil(shown.is_set, timeout=WAIT_MS)
    qtbot.wait(100)  # and nothing after
    assert window.model.row_of(page[-1].instance_id) is not None
    assert paints.count == 1  # not one per turn: each competes with the listing for the GIL
    assert window.table.updatesEnabled()

    # A page dropped half-way (a new listing) leaves the table painting.
    more = [replace(template, instance_id=f"i-{n:017x}") for n in range(1000, 2000)]
    window._page_arrived(window._token, prepare_rows(more), threading.Event())
    window._drain()  # its first turn
    assert not window.table.updatesEnabled()
    window.refresh()
    assert window.table.updatesEnabled()


def test_remove_profile_after_confirming(qtbot: QtBot, signed_in: MainWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    window = signed_in
    window.remove_button.click()
    [box] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert box.textFormat() == Qt.TextFormat.PlainText
    with qtbot.waitSignal(window.profiles_loaded, timeout=WAIT_MS):
        box.button(QMessageBox.StandardButton.Yes).click()
    assert ProfileStore(config_dir()).profiles() == []
    assert window.pages.currentIndex() == PAGE_EMPTY


def test_revoked_credentials_sign_in_again_on_the_next_refresh(
    qtbot: QtBot, signed_in: MainWindow, alice: Sandbox
) -> None:
    window = signed_in
    alice.reset()  # the sandbox forgets every credential it issued
    with qtbot.waitSignal(window.listing_finished, timeout=WAIT_MS):
        window.refresh()
    assert "AuthFailure" in window.error_banner.message
    before = alice.count("AssumeRole")
    with qtbot.waitSignal(window.listing_finished, timeout=WAIT_MS):
        window.refresh()
    assert alice.count("AssumeRole") == before + 2  # both hops again
    assert window.error_banner.isHidden()
    assert window.model.rowCount() == 6


def test_a_reimport_lists_the_trust_changes_before_replacing(
    qtbot: QtBot, signed_in: MainWindow, alice: Sandbox, tmp_path: Path
) -> None:
    window = signed_in
    document = json.loads(alice.scenario.profile_file.read_text(encoding="utf-8"))
    document["external_id"] = "ExternalID3rdPartyA-rotated-77"
    document["region"] = alice.scenario.second_region
    rotated = tmp_path / "rotated.ssmprofile"
    rotated.write_text(json.dumps(document), encoding="utf-8")
    with qtbot.waitSignal(window.import_dialog_opened, timeout=WAIT_MS) as opened:
        window.import_file(str(rotated))
    dialog = opened.args[0]
    text = dialog.changes.text()
    assert "Region changed: us-east-1 → us-west-2" in text
    assert "External ID changed" in text
    assert "ExternalID3rdPartyA" not in text  # masked, never shown
    with qtbot.waitSignal(window.profiles_loaded, timeout=WAIT_MS):
        dialog.import_button.click()
    stored = ProfileStore(config_dir()).profiles()
    assert [r.profile.region for r in stored] == [alice.scenario.second_region]
    assert ProfileStore(config_dir()).external_id(stored[0]) == "ExternalID3rdPartyA-rotated-77"
