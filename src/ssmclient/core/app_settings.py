"""The app's own settings (terminal, plugin path, corporate proxy and CA bundle).

Kept in `settings.json` beside the profile store: no secret is ever in it. A
proxy or CA bundle set here is applied as the standard variables
(HTTPS_PROXY, AWS_CA_BUNDLE), which botocore honours and session-manager-plugin
inherits, so both talk to AWS through the same corporate TLS inspection.
"""

import json
import os
from collections.abc import MutableMapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ssmclient.core.atomic_file import write_atomic
from ssmclient.core.errors import InputError, StoreError
from ssmclient.core.text import quoted

SETTINGS_FILE = "settings.json"
_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class AppSettings:
    terminal: str = "auto"  # "auto" or a launcher's name (core/terminals/launchers.py)
    plugin_path: str | None = None  # None: SSMCLIENT_PLUGIN, PATH, the usual places
    https_proxy: str | None = None
    ca_bundle: str | None = None


def check_proxy(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be a URL such as http://proxy.example.com:8080"
    if parts.username or parts.password:
        # A password here would sit in a plain file; the keyring is the place for secrets.
        return "must not hold a user name or password"
    return None


def check_settings(settings: AppSettings) -> AppSettings:
    """The settings once each value is usable; InputError names the first that is not."""
    if not settings.terminal or not settings.terminal.isprintable():
        raise InputError("Terminal: choose a terminal program")
    if settings.plugin_path:
        path = Path(settings.plugin_path).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise InputError(
                f"Plugin path: {quoted(settings.plugin_path, 120)} is not an executable file"
            )
    if settings.https_proxy:
        reason = check_proxy(settings.https_proxy)
        if reason:
            raise InputError(f"HTTPS proxy: {reason}")
    if settings.ca_bundle and not Path(settings.ca_bundle).expanduser().is_file():
        raise InputError(f"CA bundle: {quoted(settings.ca_bundle, 120)} is not a file")
    return settings


def _from_json(raw: Any) -> AppSettings:
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    values: dict[str, str | None] = {}
    for name in ("terminal", "plugin_path", "https_proxy", "ca_bundle"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} is not a string")
        values[name] = value or None
    return AppSettings(
        terminal=values["terminal"] or "auto",
        plugin_path=values["plugin_path"],
        https_proxy=values["https_proxy"],
        ca_bundle=values["ca_bundle"],
    )


class SettingsStore:
    def __init__(self, directory: Path) -> None:
        self.path = directory / SETTINGS_FILE

    def load(self) -> AppSettings:
        """The stored settings; defaults when there are none. StoreError when unreadable."""
        try:
            with self.path.open("rb") as handle:
                data = handle.read(_MAX_BYTES + 1)
        except FileNotFoundError:
            return AppSettings()
        except OSError as exc:
            raise StoreError(f"cannot read the settings {self.path}: {exc.strerror}") from None
        try:
            if len(data) > _MAX_BYTES:
                raise ValueError("too large")
            return _from_json(json.loads(data.decode("utf-8")))
        except (ValueError, UnicodeDecodeError) as exc:
            raise StoreError(
                f"the settings file {self.path} is unreadable ({exc}); "
                "saving the settings replaces it"
            ) from None

    def save(self, settings: AppSettings) -> None:
        data = json.dumps(asdict(check_settings(settings)), indent=2).encode("utf-8") + b"\n"
        try:
            write_atomic(self.path, data)
        except OSError as exc:
            raise StoreError(f"cannot write the settings {self.path}: {exc.strerror}") from None


def apply_to_environment(
    settings: AppSettings, environ: MutableMapping[str, str] | None = None
) -> None:
    """Set the proxy and CA bundle where botocore and the plugin read them."""
    target = os.environ if environ is None else environ
    if settings.https_proxy:
        target["HTTPS_PROXY"] = settings.https_proxy
    if settings.ca_bundle:
        target["AWS_CA_BUNDLE"] = str(Path(settings.ca_bundle).expanduser())
