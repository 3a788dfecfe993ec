"""Small widgets of the main window: the Error banner, the empty states, the instance table."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QTableView, QVBoxLayout, QWidget

from ssmclient.gui.host_text import plain_label, set_named_text


class ErrorBanner(QFrame):
    """The one-line message of the last failure, visible until dismissed or the next success."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Colours that read on light and dark palettes alike.
        self.setStyleSheet(
            "#errorBanner { background: rgba(192, 57, 43, 0.14); "
            "border: 1px solid rgba(192, 57, 43, 0.7); border-radius: 4px; }"
        )
        box = QHBoxLayout(self)
        box.setContentsMargins(8, 4, 4, 4)
        self.label = plain_label("", wrap=True)
        self.label.setAccessibleName("Error")
        box.addWidget(self.label, 1)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss error")
        self.dismiss.clicked.connect(self.clear)
        box.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.clear()

    def show_message(self, message: str) -> None:
        set_named_text(self.label, message)
        self.show()

    def clear(self) -> None:
        set_named_text(self.label, "")
        self.hide()

    @property
    def message(self) -> str:
        return self.label.text()


class EmptyState(QWidget):
    """First start: what to do, and a big button to do it."""

    import_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.addStretch(1)
        title = plain_label("No party profiles yet")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        title.setAccessibleName("No party profiles yet")
        box.addWidget(title)
        text = (
            "Import the .ssmprofile file your host sent you:\n"
            "click Import profile, or drop the file onto this window."
        )
        hint = plain_label(text, wrap=True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setAccessibleName("What to do")
        hint.setAccessibleDescription(text)
        box.addWidget(hint)
        button = QPushButton("Import a .ssmprofile file…")
        button.setAccessibleName("Import a profile file")
        button.setMinimumHeight(36)
        button.clicked.connect(self.import_requested)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button)
        row.addStretch(1)
        box.addLayout(row)
        box.addStretch(2)


class ChooseProfileState(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.addStretch(1)
        text = "Choose a party profile on the left to sign in and list its instances."
        hint = plain_label(text, wrap=True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setAccessibleName("What to do")
        hint.setAccessibleDescription(text)
        box.addWidget(hint)
        box.addStretch(2)


class InstanceTableView(QTableView):
    """The instance table."""

    def show_now(self) -> None:
        """Lay out and paint the rows just inserted, at once, not at the next turn.

        A listing waits for this (see ProfileSession.list_instances): a paint made
        later would compete with the listing's threads for the GIL.
        """
        self.executeDelayedItemsLayout()
        self.viewport().repaint()
