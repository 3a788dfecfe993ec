"""`Import profile`: what the host's file says, and what it would change, before storing it."""

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ssmclient.core.profile_changes import host_account
from ssmclient.core.profile_model import ImportedProfile
from ssmclient.gui.dialogs.buttons import accept_cancel
from ssmclient.gui.host_text import plain_label, shown

MASKED = "•••••••• (kept only in the keyring, never shown)"


class ImportDialog(QDialog):
    def __init__(
        self,
        path: str,
        imported: ImportedProfile,
        changes: list[str] | None,
        headline: list[str],
        parent: QWidget | None = None,
    ) -> None:
        """`changes` None: a new profile; a list: it replaces the stored one (maybe unchanged)."""
        super().__init__(parent)
        self.setWindowTitle("Import profile")
        self.setMinimumWidth(560)
        self.imported = imported
        profile = imported.profile
        layout = QVBoxLayout(self)
        intro = plain_label(f"The file {shown(path, 200)} holds this party profile:", wrap=True)
        intro.setAccessibleName("Profile file")
        intro.setAccessibleDescription(intro.text())
        layout.addWidget(intro)

        form = QFormLayout()
        host = profile.host
        rows = [
            ("Profile name", shown(profile.name, 200)),
            ("Issued by", shown(host.name, 200, missing="(not given)")),
            ("Host contact", shown(host.contact, 200, missing="(not given)")),
            ("Host account", host_account(profile.role_arn)),
            ("Host role", profile.role_arn),
            ("Region", ", ".join(profile.all_regions)),
            (
                "Instances tagged",
                f"{shown(profile.instance_tag.key, 128)}={shown(profile.instance_tag.value, 256)}",
            ),
            ("Your role", profile.source_role_arn or "(none: set it in Sign-in method)"),
            ("Expires", profile.expires.isoformat() if profile.expires else "never"),
            ("External ID", MASKED),
        ]
        for label, value in rows:
            field = plain_label(value, wrap=True)
            field.setAccessibleName(label)
            field.setAccessibleDescription(value)
            form.addRow(f"{label}:", field)
        layout.addLayout(form)

        if profile.is_expired():
            expired = plain_label(
                "This profile has expired: it will not connect. Ask the host for a new file.",
                wrap=True,
            )
            expired.setAccessibleName("Warning")
            expired.setAccessibleDescription(expired.text())
            layout.addWidget(expired)

        if changes is not None:
            line = QFrame()
            line.setFrameShape(QFrame.Shape.HLine)
            layout.addWidget(line)
            if changes:
                text = "It replaces the stored profile of the same name. Changes:\n" + "\n".join(
                    f"  • {item}" for item in [*headline, *changes]
                )
            else:
                text = "A profile of this name is already stored with these values."
            self.changes = plain_label(text, wrap=True)
            self.changes.setAccessibleName("Changes")
            self.changes.setAccessibleDescription(text)
            layout.addWidget(self.changes)

        buttons, self.import_button = accept_cancel(self, "Import")
        layout.addWidget(buttons)
        self.import_button.setFocus()

    def field_texts(self) -> dict[str, str]:
        """What the dialog shows, by label (for tests and screen readers alike)."""
        return {
            label.accessibleName(): label.text()
            for label in self.findChildren(QLabel)
            if label.accessibleName()
        }
