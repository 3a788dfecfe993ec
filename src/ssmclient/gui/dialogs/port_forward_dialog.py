"""`Port forward`: which remote port (a preset or any), through which host, to which local port."""

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from ssmclient.core.net_names import check_forward_host, parse_port
from ssmclient.gui.dialogs.buttons import accept_cancel
from ssmclient.gui.host_text import plain_label, shown

PRESETS = [
    ("SSH (22)", 22),
    ("RDP (3389)", 3389),
    ("HTTPS (443)", 443),
    ("PostgreSQL (5432)", 5432),
    ("MySQL (3306)", 3306),
    ("Custom", None),
]


class PortForwardDialog(QDialog):
    def __init__(self, instance_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Port forward")
        self.setMinimumWidth(460)
        form = QFormLayout(self)
        target = plain_label(shown(instance_label, 200), wrap=True)
        target.setAccessibleName("Instance")
        target.setAccessibleDescription(target.text())
        form.addRow("Instance:", target)
        self.preset = QComboBox()
        self.preset.setAccessibleName("Preset")
        for label, port in PRESETS:
            self.preset.addItem(label, port)
        self.remote_port = QLineEdit("22")
        self.remote_port.setAccessibleName("Remote port")
        self.remote_host = QLineEdit()
        self.remote_host.setAccessibleName("Remote host")
        self.remote_host.setPlaceholderText("empty: the instance itself")
        self.local_port = QLineEdit()
        self.local_port.setAccessibleName("Local port")
        self.local_port.setPlaceholderText("empty: any free port")
        form.addRow("Preset:", self.preset)
        form.addRow("Remote port:", self.remote_port)
        form.addRow("Remote host:", self.remote_host)
        form.addRow("Local port:", self.local_port)
        self.problem = plain_label("", wrap=True)
        self.problem.setAccessibleName("Problem")
        form.addRow(self.problem)
        buttons, self.start = accept_cancel(self, "Start")
        form.addRow(buttons)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        for field in (self.remote_port, self.remote_host, self.local_port):
            field.textChanged.connect(self._validate)
        self._validate()

    def _preset_chosen(self) -> None:
        port = self.preset.currentData()
        if port is not None:
            self.remote_port.setText(str(port))
        else:
            self.remote_port.setFocus()
            self.remote_port.selectAll()

    def _problem(self) -> str | None:
        remote = parse_port(self.remote_port.text())
        if isinstance(remote, str):
            return f"Remote port: {remote}"
        host = self.remote_host.text().strip()
        if host:
            reason = check_forward_host(host)
            if reason:
                return f"Remote host: {reason}"
        local = self.local_port.text().strip()
        if local:
            parsed = parse_port(local, allow_zero=True)
            if isinstance(parsed, str):
                return f"Local port: {parsed}"
        return None

    def _validate(self) -> None:
        problem = self._problem()
        self.problem.setText(problem or "")
        self.problem.setAccessibleDescription(problem or "")
        self.problem.setVisible(problem is not None)
        self.start.setEnabled(problem is None)
        preset_port = self.preset.currentData()
        if preset_port is not None and self.remote_port.text().strip() != str(preset_port):
            self.preset.blockSignals(True)
            self.preset.setCurrentIndex(len(PRESETS) - 1)
            self.preset.blockSignals(False)

    def values(self) -> tuple[int, str | None, int | None]:
        """(remote port, remote host or None, local port or None for any free one)."""
        remote = parse_port(self.remote_port.text())
        assert isinstance(remote, int)
        host = self.remote_host.text().strip() or None
        local_text = self.local_port.text().strip()
        local = parse_port(local_text, allow_zero=True) if local_text else 0
        assert isinstance(local, int)
        return remote, host, local or None
