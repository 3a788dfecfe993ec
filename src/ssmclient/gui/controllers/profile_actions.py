"""The profile store's operations for the window, each meant to run on a worker thread.

Thin wrappers over the same core calls the CLI's `profile` commands make;
nothing here touches Qt, so each is a plain function a Task can run.
"""

from dataclasses import dataclass, field
from pathlib import Path

from ssmclient.core.app_settings import AppSettings, SettingsStore
from ssmclient.core.aws.config_profiles import AwsConfigProfile, aws_config_profiles
from ssmclient.core.errors import InputError, StoreError
from ssmclient.core.paths import config_dir
from ssmclient.core.profile_changes import describe_changes, headline_changes
from ssmclient.core.profile_file import read_profile_file
from ssmclient.core.profile_model import ImportedProfile, ProfileRecord, SourceKind
from ssmclient.core.profile_store import ImportResult, ProfileStore
from ssmclient.core.sessions.history import HistoryEntry, SessionHistory
from ssmclient.core.source_change import check_aws_profile_name, source_change
from ssmclient.gui.dialogs.settings_dialog import Detected
from ssmclient.gui.dialogs.sign_in_dialog import GUI_LABELS, SignInChoice


def store() -> ProfileStore:
    return ProfileStore(config_dir())


@dataclass(frozen=True)
class ImportPreview:
    path: str
    imported: ImportedProfile = field(repr=False)
    changes: list[str] | None  # None: a new profile
    headline: list[str]
    warning: str | None = None  # e.g. the store is unreadable and will be set aside


def preview_import(path: str) -> ImportPreview:
    """Read and check the file, and what importing it would change (keyring read included)."""
    imported = read_profile_file(Path(path))
    profiles = store()
    try:
        old = profiles.find(imported.profile.name)
    except StoreError as exc:
        return ImportPreview(path, imported, None, [], warning=exc.message)
    if old is None:
        return ImportPreview(path, imported, None, [])
    old_id = profiles.external_id(old)
    changes = describe_changes(old.profile, old_id, imported.profile, imported.external_id)
    headline = headline_changes(old.profile, imported.profile, old_id != imported.external_id)
    return ImportPreview(path, imported, changes, headline)


def save_import(imported: ImportedProfile) -> ImportResult:
    return store().save_import(imported)


def list_profiles() -> list[ProfileRecord]:
    return store().profiles()


@dataclass(frozen=True)
class SignInData:
    aws_profiles: list[AwsConfigProfile]
    default_session_name: str


def sign_in_data() -> SignInData:
    from ssmclient.core.aws.role_chain import default_session_name

    return SignInData(aws_config_profiles(), default_session_name())


def save_sign_in(record: ProfileRecord, choice: SignInChoice) -> ProfileRecord:
    if choice.kind is SourceKind.AWS_PROFILE:
        names = [p.name for p in aws_config_profiles()]
        check_aws_profile_name(choice.aws_profile or "", names, GUI_LABELS["aws_profile"])
    change = source_change(
        record,
        kind=choice.kind,
        aws_profile=choice.aws_profile,
        access_key=choice.access_key,
        source_role_arn=choice.source_role_arn,
        mfa_serial=choice.mfa_serial,
        session_name=choice.session_name,
        labels=GUI_LABELS,
    )
    no_pair = choice.kind is SourceKind.ACCESS_KEY and change.access_key is None
    if no_pair and store().access_key(record) is None:
        raise InputError("Access key ID: enter the access key and its secret")
    return store().update_source(record.name, change.settings, change.access_key)


def remove_profile(name: str) -> ProfileRecord:
    return store().remove(name)


def load_settings() -> AppSettings:
    return SettingsStore(config_dir()).load()


def save_settings(settings: AppSettings) -> AppSettings:
    SettingsStore(config_dir()).save(settings)
    return settings


def detect(settings: AppSettings) -> Detected:
    """Installed terminals and the plugin (runs `session-manager-plugin --version`)."""
    import sys

    from ssmclient.core.errors import SsmClientError
    from ssmclient.core.sessions.plugin_discovery import INSTALL_PAGE, find_plugin
    from ssmclient.core.terminals.launchers import ALL_LAUNCHERS

    terminals = [
        launcher.name
        for launcher in ALL_LAUNCHERS
        if sys.platform.startswith(launcher.platform)
        and (launcher.new_console or launcher.find() is not None)
    ]
    try:
        plugin = find_plugin(settings.plugin_path)
    except SsmClientError as exc:
        return Detected(terminals, exc.message, False, INSTALL_PAGE)
    text = f"version {plugin.version_text} at {plugin.path}"
    if plugin.warning:
        text += f" (warning: {plugin.warning})"
    return Detected(terminals, text, True, INSTALL_PAGE)


def history() -> tuple[list[HistoryEntry], int]:
    return SessionHistory(config_dir()).entries()
