"""Each dialog renders without Qt warnings, validates as you type and names its fields."""

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from ssmclient.core.app_settings import AppSettings
from ssmclient.core.aws.config_profiles import AwsConfigProfile
from ssmclient.core.paths import config_dir
from ssmclient.core.profile_changes import headline_changes
from ssmclient.core.profile_file import read_profile_file
from ssmclient.core.profile_store import ProfileStore
from ssmclient.gui.dialogs.doctor_dialog import DoctorDialog
from ssmclient.gui.dialogs.history_dialog import HistoryDialog
from ssmclient.gui.dialogs.import_dialog import ImportDialog
from ssmclient.gui.dialogs.mfa_dialog import MfaDialog
from ssmclient.gui.dialogs.port_forward_dialog import PortForwardDialog
from ssmclient.gui.dialogs.settings_dialog import Detected, SettingsDialog
from ssmclient.gui.dialogs.sign_in_dialog import SignInDialog
from ssmclient.sandbox.client import Sandbox


def names(dialog: QWidget) -> set[str]:
    return {w.accessibleName() for w in dialog.findChildren(QWidget) if w.accessibleName()}


def unnamed_controls(dialog: QWidget) -> list[str]:
    return [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for w in dialog.findChildren(QWidget)
        if isinstance(w, QPushButton | QLineEdit)
        and w.isVisibleTo(dialog)
        and not w.accessibleName()
    ]


def render(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.grab().isNull()
    assert unnamed_controls(dialog) == []


def test_import_dialog_shows_the_file_and_masks_the_secret(qtbot: QtBot, alice: Sandbox) -> None:
    imported = read_profile_file(alice.scenario.profile_file)
    dialog = ImportDialog(str(alice.scenario.profile_file), imported, None, [])
    render(qtbot, dialog)
    assert dialog.windowTitle() == "Import profile"
    texts = dialog.field_texts()
    assert texts["Host account"] == alice.scenario.host_account
    assert texts["Host role"] == alice.scenario.host_role_arn
    assert alice.scenario.external_id not in " ".join(
        label.text() for label in dialog.findChildren(QLabel)
    )
    assert {"Import", "Cancel"} <= names(dialog)


def test_a_replacing_import_lists_the_trust_changes_first(alice: Sandbox, qtbot: QtBot) -> None:
    from dataclasses import replace

    imported = read_profile_file(alice.scenario.profile_file)
    old = replace(
        imported.profile,
        role_arn=imported.profile.role_arn.replace("111122223333", "999988887777"),
        region="eu-west-1",
    )
    headline = headline_changes(old, imported.profile, external_id_changed=True)
    assert headline == [
        "Host account changed: 999988887777 → 111122223333",
        "Region changed: eu-west-1 → us-east-1",
        "External ID changed",
    ]
    dialog = ImportDialog("f.ssmprofile", imported, ["region: eu-west-1 -> us-east-1"], headline)
    render(qtbot, dialog)
    assert "Host account changed" in dialog.changes.text()


def test_hostile_host_text_is_inert_in_the_import_dialog(qtbot: QtBot, alice: Sandbox) -> None:
    from dataclasses import replace

    from ssmclient.core.profile_model import HostInfo

    imported = read_profile_file(alice.scenario.profile_file)
    hostile = replace(
        imported.profile, host=HostInfo("<b>Evil</b>\u202eCorp", "<a href=x>call</a>")
    )
    dialog = ImportDialog("f", replace(imported, profile=hostile), None, [])
    render(qtbot, dialog)
    for label in dialog.findChildren(QLabel):
        if label.accessibleName() in ("Issued by", "Host contact"):
            assert label.textFormat().name == "PlainText"
            assert "\u202e" not in label.text()
    assert dialog.field_texts()["Host contact"] == "<a href=x>call</a>"


def test_sign_in_dialog_validates_as_you_type(qtbot: QtBot, alice: Sandbox) -> None:
    record = (
        ProfileStore(config_dir())
        .save_import(read_profile_file(alice.scenario.profile_file))
        .record
    )
    profiles = [AwsConfigProfile("work", False), AwsConfigProfile("corp-sso", True)]
    dialog = SignInDialog(record, profiles, "alice")
    render(qtbot, dialog)
    assert dialog.windowTitle() == "Sign-in method"
    assert {
        "AWS profile",
        "AWS profile name",
        "Access keys",
        "Access key ID",
        "Secret access key",
        "Default credentials",
        "Your role ARN",
        "MFA device",
        "Session name",
        "Save",
        "Cancel",
    } <= names(dialog)
    assert dialog.save.isEnabled()
    dialog.session_name.setText("has,comma")
    assert not dialog.save.isEnabled()
    assert dialog.problem_text().startswith("Session name:")
    dialog.session_name.setText("alice")
    dialog.use_keys.setChecked(True)
    assert not dialog.save.isEnabled()
    dialog.key_id.setText("AKIAIOSFODNN7EXAMPLE")
    dialog.secret.setText("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert dialog.save.isEnabled()
    choice = dialog.choice()
    assert choice.access_key == ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    dialog.use_profile.setChecked(True)
    dialog.profile_name.setCurrentIndex(1)
    assert "aws sso login --profile corp-sso" in dialog.sso_hint.text()
    dialog.mfa.setText("x y")
    assert dialog.problem_text().startswith("MFA device:")


def test_mfa_dialog_takes_six_digits(qtbot: QtBot) -> None:
    dialog = MfaDialog("arn:aws:iam::444455556666:mfa/alice")
    render(qtbot, dialog)
    assert dialog.windowTitle() == "MFA code"
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.code, "12ab34")
    assert dialog.value() == "1234"
    qtbot.keyClicks(dialog.code, "567")
    assert dialog.value() == "123456"
    assert dialog.ok.isEnabled()


@pytest.mark.parametrize(
    ("remote", "host", "local", "problem"),
    [
        ("22", "", "", None),
        ("0", "", "", "Remote port"),
        ("70000", "", "", "Remote port"),
        ("5432", "db.internal; rm -rf /", "", "Remote host"),
        ("5432", "db.internal", "0", None),
        ("5432", "", "abc", "Local port"),
    ],
)
def test_port_forward_dialog_checks_its_fields(
    qtbot: QtBot, remote: str, host: str, local: str, problem: str | None
) -> None:
    dialog = PortForwardDialog("web (i-0123456789abcdef0)")
    render(qtbot, dialog)
    assert dialog.windowTitle() == "Port forward"
    assert {"Remote port", "Remote host", "Local port", "Start", "Cancel"} <= names(dialog)
    dialog.remote_port.setText(remote)
    dialog.remote_host.setText(host)
    dialog.local_port.setText(local)
    assert dialog.start.isEnabled() is (problem is None)
    if problem:
        assert dialog.problem.text().startswith(problem)
    else:
        port, remote_host, local_port = dialog.values()
        assert port == int(remote)
        assert remote_host == (host or None)
        assert local_port is None


def test_port_forward_presets(qtbot: QtBot) -> None:
    dialog = PortForwardDialog("i-0123456789abcdef0")
    render(qtbot, dialog)
    ports = {}
    for index in range(dialog.preset.count() - 1):
        dialog.preset.setCurrentIndex(index)
        ports[dialog.preset.currentText()] = dialog.remote_port.text()
    assert ports == {
        "SSH (22)": "22",
        "RDP (3389)": "3389",
        "HTTPS (443)": "443",
        "PostgreSQL (5432)": "5432",
        "MySQL (3306)": "3306",
    }
    dialog.remote_port.setText("8443")
    assert dialog.preset.currentText() == "Custom"


def test_settings_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    detected = Detected(["xterm"], "session-manager-plugin is not installed", False, "https://x")
    dialog = SettingsDialog(AppSettings(terminal="xterm"), detected)
    render(qtbot, dialog)
    assert dialog.terminal.currentData() == "xterm"
    assert {"Terminal program", "Plugin path", "HTTPS proxy", "CA bundle"} <= names(dialog)
    assert "How to install the plugin" in names(dialog)
    dialog.proxy.setText("http://proxy.corp:8080")
    assert dialog.settings().https_proxy == "http://proxy.corp:8080"


def test_doctor_and_history_dialogs(qtbot: QtBot) -> None:
    from ssmclient.core.doctor import Check
    from ssmclient.core.sessions.history import HistoryEntry

    doctor = DoctorDialog("P")
    render(qtbot, doctor)
    doctor.show_checks([Check("hop 1", True, "fine"), Check("hop 2", False, "AccessDenied: no")])
    assert doctor.heading.text() == "1 check(s) failed."
    assert "failed: AccessDenied: no" in {
        w.accessibleDescription() for w in doctor.findChildren(QLabel)
    }
    history = HistoryDialog()
    render(qtbot, history)
    entry = HistoryEntry.now(
        profile="P",
        instance_id="i-0123456789abcdef0",
        instance_name="\x1b]0;x\x07web",
        document="SSM-SessionManagerRunShell",
        session_id="alice-0123",
        reason=None,
        outcome="ended",
    )
    history.show_entries([entry], 2)
    assert history.model.rowCount() == 1
    assert "\x1b" not in history.model.index(0, 2).data()
    assert "2 unreadable" in history.summary.text()
