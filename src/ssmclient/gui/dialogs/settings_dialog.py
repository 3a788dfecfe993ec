"""Settings: the terminal program, session-manager-plugin, and corporate proxy / CA bundle."""

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ssmclient.core.app_settings import AppSettings
from ssmclient.gui.dialogs.buttons import accept_cancel
from ssmclient.gui.host_text import plain_label


@dataclass(frozen=True)
class Detected:
    """What the settings dialog shows about this machine (found off the GUI thread)."""

    terminals: list[str]  # installed launchers, by name
    plugin: str  # "1.2.694.0 at /usr/local/bin/session-manager-plugin", or why not
    plugin_found: bool
    install_page: str


def _browse_row(field: QLineEdit, name: str) -> tuple[QWidget, QPushButton]:
    row = QWidget()
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(field, 1)
    browse = QPushButton("Browse…")
    browse.setAccessibleName(f"Browse for {name}")
    box.addWidget(browse)
    return row, browse


class SettingsDialog(QDialog):
    def __init__(
        self, settings: AppSettings, detected: Detected, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(620)
        form = QFormLayout(self)
        self.terminal = QComboBox()
        self.terminal.setAccessibleName("Terminal program")
        self.terminal.addItem("Automatic (the first one found)", "auto")
        for name in detected.terminals:
            self.terminal.addItem(name, name)
        if settings.terminal != "auto" and self.terminal.findData(settings.terminal) < 0:
            self.terminal.addItem(f"{settings.terminal} (not found)", settings.terminal)
        self.terminal.setCurrentIndex(max(0, self.terminal.findData(settings.terminal)))
        form.addRow("Terminal program:", self.terminal)

        self.plugin_path = QLineEdit(settings.plugin_path or "")
        self.plugin_path.setAccessibleName("Plugin path")
        self.plugin_path.setPlaceholderText("empty: found on PATH or where AWS installs it")
        row, browse = _browse_row(self.plugin_path, "the plugin")
        browse.clicked.connect(self._browse_plugin)
        form.addRow("session-manager-plugin:", row)
        self.plugin_status = plain_label(detected.plugin)
        self.plugin_status.setAccessibleName("Plugin status")
        self.plugin_status.setAccessibleDescription(detected.plugin)
        form.addRow("", self.plugin_status)
        if not detected.plugin_found:
            # Our own text and a fixed AWS address: rich text is safe here.
            link = QLabel(f'<a href="{detected.install_page}">How to install the plugin</a>')
            link.setTextFormat(Qt.TextFormat.RichText)
            link.setOpenExternalLinks(True)
            link.setAccessibleName("How to install the plugin")
            form.addRow("", link)

        self.proxy = QLineEdit(settings.https_proxy or "")
        self.proxy.setAccessibleName("HTTPS proxy")
        self.proxy.setPlaceholderText("empty: none, or HTTPS_PROXY from the environment")
        form.addRow("HTTPS proxy:", self.proxy)
        self.ca_bundle = QLineEdit(settings.ca_bundle or "")
        self.ca_bundle.setAccessibleName("CA bundle")
        self.ca_bundle.setPlaceholderText("empty: the system's; a PEM file for TLS inspection")
        row, browse = _browse_row(self.ca_bundle, "the CA bundle")
        browse.clicked.connect(self._browse_ca)
        form.addRow("CA bundle:", row)
        note = plain_label(
            "The proxy and CA bundle apply to ssmclient's AWS calls and to the plugin."
        )
        note.setAccessibleName("Proxy note")
        note.setAccessibleDescription(note.text())
        form.addRow("", note)
        buttons, self.save = accept_cancel(self, "Save")
        form.addRow(buttons)

    def _browse_plugin(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "session-manager-plugin")
        if path:
            self.plugin_path.setText(path)

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA bundle", "", "Certificates (*.pem *.crt);;All files (*)"
        )
        if path:
            self.ca_bundle.setText(path)

    def settings(self) -> AppSettings:
        return AppSettings(
            terminal=str(self.terminal.currentData() or "auto"),
            plugin_path=self.plugin_path.text().strip() or None,
            https_proxy=self.proxy.text().strip() or None,
            ca_bundle=self.ca_bundle.text().strip() or None,
        )
