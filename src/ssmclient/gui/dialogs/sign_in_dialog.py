"""`Sign-in method`: how hop 1 gets the partner's own credentials, and the role it assumes.

The AWS config profiles are listed off the GUI thread (the dialog gets them
ready); saving checks every field with the core's rules (core/source_change),
the same the CLI's `profile set-source` uses.
"""

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ssmclient.core.aws import naming
from ssmclient.core.aws.config_profiles import AwsConfigProfile
from ssmclient.core.profile_model import ProfileRecord, SourceKind
from ssmclient.gui.dialogs.buttons import accept_cancel
from ssmclient.gui.host_text import plain_label, shown

GUI_LABELS = {
    "aws_profile": "AWS profile name",
    "access_key_id": "Access key ID",
    "secret_access_key": "Secret access key",
    "source_role_arn": "Your role ARN",
    "mfa_serial": "MFA device",
    "session_name": "Session name",
}


@dataclass(frozen=True)
class SignInChoice:
    kind: SourceKind
    aws_profile: str | None
    access_key: tuple[str, str] | None
    source_role_arn: str
    mfa_serial: str
    session_name: str


class SignInDialog(QDialog):
    def __init__(
        self,
        record: ProfileRecord,
        aws_profiles: list[AwsConfigProfile],
        default_session_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign-in method")
        self.setMinimumWidth(560)
        self._profiles = aws_profiles
        source = record.source
        layout = QVBoxLayout(self)
        intro = plain_label(
            f"How do you sign in to your own AWS account for {shown(record.name, 120)}?",
            wrap=True,
        )
        intro.setAccessibleName("Question")
        intro.setAccessibleDescription(intro.text())
        layout.addWidget(intro)

        choices = QGroupBox("Your credentials")
        choices.setAccessibleName("Your credentials")
        box = QFormLayout(choices)
        self.kinds = QButtonGroup(self)
        self.use_profile = QRadioButton("AWS profile")
        self.use_profile.setAccessibleName("AWS profile")
        self.profile_name = QComboBox()
        self.profile_name.setAccessibleName("AWS profile name")
        for item in aws_profiles:
            label = f"{item.name}  (SSO)" if item.sso else item.name
            self.profile_name.addItem(label, item.name)
        if not aws_profiles:
            self.profile_name.addItem("(no profiles in your AWS config)", None)
        self.sso_hint = plain_label("", wrap=True)
        self.sso_hint.setAccessibleName("SSO sign-in")
        self.use_keys = QRadioButton("Access keys")
        self.use_keys.setAccessibleName("Access keys")
        self.key_id = QLineEdit()
        self.key_id.setAccessibleName("Access key ID")
        self.key_id.setPlaceholderText("AKIA…")
        self.secret = QLineEdit()
        self.secret.setAccessibleName("Secret access key")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        if source.kind is SourceKind.ACCESS_KEY:
            self.secret.setPlaceholderText("stored in the OS keyring; type to replace")
        self.use_default = QRadioButton("Default credentials")
        self.use_default.setAccessibleName("Default credentials")
        default_hint = plain_label(
            "botocore's default chain: AWS_ACCESS_KEY_ID…, AWS_PROFILE, SSO, instance roles",
            wrap=True,
        )
        default_hint.setAccessibleName("Default credentials hint")
        default_hint.setAccessibleDescription(default_hint.text())
        for button in (self.use_profile, self.use_keys, self.use_default):
            self.kinds.addButton(button)
        box.addRow(self.use_profile)
        box.addRow("AWS profile name:", self.profile_name)
        box.addRow(self.sso_hint)
        box.addRow(self.use_keys)
        box.addRow("Access key ID:", self.key_id)
        box.addRow("Secret access key:", self.secret)
        box.addRow(self.use_default)
        box.addRow(default_hint)
        layout.addWidget(choices)

        chain = QGroupBox("Role chain")
        chain.setAccessibleName("Role chain")
        form = QFormLayout(chain)
        self.role = QLineEdit(record.effective_source_role_arn or "")
        self.role.setAccessibleName("Your role ARN")
        self.role.setPlaceholderText("arn:aws:iam::444455556666:role/3P_IAM_Assume_Role")
        self.mfa = QLineEdit(source.mfa_serial or "")
        self.mfa.setAccessibleName("MFA device")
        self.mfa.setPlaceholderText("optional: arn:aws:iam::444455556666:mfa/you")
        self.session_name = QLineEdit(source.session_name or default_session_name)
        self.session_name.setAccessibleName("Session name")
        form.addRow("Your role ARN:", self.role)
        form.addRow("MFA device:", self.mfa)
        form.addRow("Session name:", self.session_name)
        layout.addWidget(chain)

        self.problem = plain_label("", wrap=True)
        self.problem.setAccessibleName("Problem")
        layout.addWidget(self.problem)

        buttons, self.save = accept_cancel(self, "Save")
        layout.addWidget(buttons)

        {
            SourceKind.AWS_PROFILE: self.use_profile,
            SourceKind.ACCESS_KEY: self.use_keys,
            SourceKind.DEFAULT_CHAIN: self.use_default,
        }[source.kind].setChecked(True)
        if source.aws_profile:
            at = self.profile_name.findData(source.aws_profile)
            if at >= 0:
                self.profile_name.setCurrentIndex(at)
        for signal in (
            self.kinds.buttonToggled,
            self.profile_name.currentIndexChanged,
            self.key_id.textChanged,
            self.secret.textChanged,
            self.role.textChanged,
            self.mfa.textChanged,
            self.session_name.textChanged,
        ):
            signal.connect(self._validate)
        self._had_keys = source.kind is SourceKind.ACCESS_KEY
        self._validate()

    def _kind(self) -> SourceKind:
        if self.use_profile.isChecked():
            return SourceKind.AWS_PROFILE
        if self.use_keys.isChecked():
            return SourceKind.ACCESS_KEY
        return SourceKind.DEFAULT_CHAIN

    def _problem(self) -> str | None:
        """The first field that is not right yet, checked as the user types."""
        kind = self._kind()
        if kind is SourceKind.AWS_PROFILE and self.profile_name.currentData() is None:
            return "AWS profile name: your AWS config has no profiles; choose another method"
        if kind is SourceKind.ACCESS_KEY:
            key_id = self.key_id.text().strip()
            if key_id or not self._had_keys:
                reason = naming.check_access_key_id(key_id)
                if reason:
                    return f"Access key ID: {reason}"
                if not self.secret.text().strip():
                    return "Secret access key: enter the secret of this access key"
        role = self.role.text().strip()
        if role:
            parsed = naming.parse_role_arn(role)
            if isinstance(parsed, str):
                return f"Your role ARN: {parsed}"
        mfa = self.mfa.text().strip()
        if mfa:
            reason = naming.check_mfa_serial(mfa)
            if reason:
                return f"MFA device: {reason}"
        name = self.session_name.text().strip()
        reason = naming.check_session_name(name) if name else None
        if reason:
            return f"Session name: {reason}"
        return None

    def _validate(self) -> None:
        kind = self._kind()
        self.profile_name.setEnabled(kind is SourceKind.AWS_PROFILE)
        self.key_id.setEnabled(kind is SourceKind.ACCESS_KEY)
        self.secret.setEnabled(kind is SourceKind.ACCESS_KEY)
        chosen = self.profile_name.currentData()
        sso = next((p for p in self._profiles if p.name == chosen and p.sso), None)
        hint = (
            f"An SSO profile: sign in first with `{sso.sso_login_command}` "
            "(again when the sign-in expires)."
            if sso is not None and kind is SourceKind.AWS_PROFILE
            else ""
        )
        self.sso_hint.setText(hint)
        self.sso_hint.setAccessibleDescription(hint)
        self.sso_hint.setVisible(bool(hint))
        problem = self._problem()
        self.problem.setText(problem or "")
        self.problem.setAccessibleDescription(problem or "")
        self.problem.setVisible(problem is not None)
        self.save.setEnabled(problem is None)

    def choice(self) -> SignInChoice:
        kind = self._kind()
        access_key = None
        if kind is SourceKind.ACCESS_KEY and self.key_id.text().strip():
            access_key = (self.key_id.text().strip(), self.secret.text().strip())
        return SignInChoice(
            kind=kind,
            aws_profile=self.profile_name.currentData() if kind is SourceKind.AWS_PROFILE else None,
            access_key=access_key,
            source_role_arn=self.role.text(),
            mfa_serial=self.mfa.text(),
            session_name=self.session_name.text(),
        )

    def problem_text(self) -> str:
        label: QLabel = self.problem
        return label.text()
