"""The app's settings file: defaults, round trip, privacy, bad files, checks, environment."""

import json
import os
from pathlib import Path

import pytest

from ssmclient.core.app_settings import (
    SETTINGS_FILE,
    AppSettings,
    SettingsStore,
    apply_to_environment,
    check_settings,
)
from ssmclient.core.errors import InputError, StoreError


@pytest.fixture
def settings_store(config_dir: Path) -> SettingsStore:
    return SettingsStore(config_dir)


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    path = tmp_path / "session-manager-plugin"
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def ca_bundle(tmp_path: Path) -> Path:
    path = tmp_path / "corporate-ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    return path


def test_defaults_when_there_is_no_file(settings_store: SettingsStore) -> None:
    assert not settings_store.path.exists()
    assert settings_store.load() == AppSettings()
    assert AppSettings() == AppSettings("auto", None, None, None)


def test_save_and_load_round_trip(
    settings_store: SettingsStore, config_dir: Path, plugin: Path, ca_bundle: Path
) -> None:
    settings = AppSettings(
        terminal="xterm",
        plugin_path=str(plugin),
        https_proxy="http://proxy.example.com:8080",
        ca_bundle=str(ca_bundle),
    )
    settings_store.save(settings)
    assert settings_store.path == config_dir / SETTINGS_FILE
    assert SettingsStore(config_dir).load() == settings
    assert json.loads(settings_store.path.read_text())["terminal"] == "xterm"


def test_save_of_defaults_round_trips(settings_store: SettingsStore) -> None:
    settings_store.save(AppSettings())
    assert settings_store.load() == AppSettings()


def test_settings_file_is_private(settings_store: SettingsStore) -> None:
    settings_store.save(AppSettings(terminal="xterm"))
    assert settings_store.path.stat().st_mode & 0o777 == 0o600


def test_a_file_that_cannot_be_read_names_its_path(settings_store: SettingsStore) -> None:
    settings_store.path.mkdir(parents=True)  # a directory where the file should be
    with pytest.raises(StoreError) as info:
        settings_store.load()
    assert str(settings_store.path) in info.value.message
    assert info.value.message.startswith("cannot read the settings")


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'"auto"',
        b'{"terminal": 7}',
        b'{"plugin_path": ["/bin/sh"]}',
        b'{"https_proxy": {"url": "http://proxy:8080"}}',
        b'{"ca_bundle": true}',
    ],
    ids=[
        "not-json",
        "not-utf8",
        "list",
        "string",
        "int-terminal",
        "list-plugin",
        "dict-proxy",
        "bool-ca",
    ],
)
def test_an_unreadable_or_wrong_typed_file_names_its_path(
    settings_store: SettingsStore, content: bytes
) -> None:
    settings_store.path.parent.mkdir(parents=True)
    settings_store.path.write_bytes(content)
    with pytest.raises(StoreError) as info:
        settings_store.load()
    message = info.value.message
    assert str(settings_store.path) in message
    assert "unreadable" in message
    assert "\n" not in message


def test_an_oversized_file_names_its_path(settings_store: SettingsStore) -> None:
    settings_store.path.parent.mkdir(parents=True)
    padding = " " * (64 * 1024)
    settings_store.path.write_text('{"terminal": "xterm"}' + padding)  # valid JSON, too large
    with pytest.raises(StoreError) as info:
        settings_store.load()
    assert str(settings_store.path) in info.value.message
    assert "too large" in info.value.message


def test_a_file_just_under_the_limit_loads(settings_store: SettingsStore) -> None:
    settings_store.path.parent.mkdir(parents=True)
    text = '{"terminal": "xterm"}'
    settings_store.path.write_text(text + " " * (64 * 1024 - len(text)))
    assert settings_store.load() == AppSettings(terminal="xterm")


def test_empty_strings_and_missing_keys_mean_defaults(settings_store: SettingsStore) -> None:
    settings_store.path.parent.mkdir(parents=True)
    settings_store.path.write_text('{"terminal": "", "https_proxy": "", "other": 1}')
    assert settings_store.load() == AppSettings()


def test_check_settings_accepts_good_values(plugin: Path, ca_bundle: Path) -> None:
    settings = AppSettings(
        terminal="konsole",
        plugin_path=str(plugin),
        https_proxy="https://proxy.example.com:3128",
        ca_bundle=str(ca_bundle),
    )
    assert check_settings(settings) == settings


def test_plugin_path_that_is_not_executable_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plugin.txt"
    plain.write_text("not a program")
    plain.chmod(0o644)
    with pytest.raises(InputError) as info:
        check_settings(AppSettings(plugin_path=str(plain)))
    assert info.value.message.startswith("Plugin path: ")
    assert str(plain) in info.value.message


@pytest.mark.parametrize("name", ["missing", "a-directory"])
def test_plugin_path_that_is_not_a_file_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name == "a-directory":
        path.mkdir()
    with pytest.raises(InputError, match=r"^Plugin path: .* is not an executable file"):
        check_settings(AppSettings(plugin_path=str(path)))


def test_proxy_with_credentials_is_refused_and_never_stored(
    settings_store: SettingsStore,
) -> None:
    proxy = "http://alice:hunter2@proxy.example.com:8080"
    with pytest.raises(InputError) as info:
        settings_store.save(AppSettings(https_proxy=proxy))
    message = info.value.message
    assert message.startswith("HTTPS proxy: ")
    assert "user name or password" in message
    assert "hunter2" not in message
    assert not settings_store.path.exists()


def test_proxy_with_only_a_user_name_is_refused() -> None:
    with pytest.raises(InputError, match=r"^HTTPS proxy: must not hold a user name"):
        check_settings(AppSettings(https_proxy="http://alice@proxy.example.com:8080"))


@pytest.mark.parametrize(
    "proxy", ["proxy.example.com:8080", "ftp://proxy.example.com", "http://", "not a url"]
)
def test_proxy_that_is_not_a_url_is_refused(proxy: str) -> None:
    with pytest.raises(InputError) as info:
        check_settings(AppSettings(https_proxy=proxy))
    assert info.value.message.startswith("HTTPS proxy: must be a URL")


def test_missing_ca_bundle_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-ca.pem"
    with pytest.raises(InputError) as info:
        check_settings(AppSettings(ca_bundle=str(missing)))
    assert info.value.message.startswith("CA bundle: ")
    assert str(missing) in info.value.message


def test_a_refused_save_keeps_the_old_file(settings_store: SettingsStore, tmp_path: Path) -> None:
    settings_store.save(AppSettings(terminal="xterm"))
    with pytest.raises(InputError):
        settings_store.save(AppSettings(ca_bundle=str(tmp_path / "missing.pem")))
    assert settings_store.load() == AppSettings(terminal="xterm")


def test_apply_to_environment_sets_only_what_is_set(ca_bundle: Path) -> None:
    environ: dict[str, str] = {}
    apply_to_environment(AppSettings(), environ)
    assert environ == {}

    apply_to_environment(AppSettings(https_proxy="http://proxy.example.com:8080"), environ)
    assert environ == {"HTTPS_PROXY": "http://proxy.example.com:8080"}

    environ = {"HTTPS_PROXY": "http://kept:1"}
    apply_to_environment(AppSettings(ca_bundle=str(ca_bundle)), environ)
    assert environ == {"HTTPS_PROXY": "http://kept:1", "AWS_CA_BUNDLE": str(ca_bundle)}


def test_apply_to_environment_expands_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    environ: dict[str, str] = {}
    apply_to_environment(AppSettings(ca_bundle="~/ca.pem"), environ)
    assert environ == {"AWS_CA_BUNDLE": str(tmp_path / "ca.pem")}


def test_apply_to_environment_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "AWS_CA_BUNDLE"):
        monkeypatch.setenv(name, "")  # so that monkeypatch restores the variable afterwards
        monkeypatch.delenv(name)
    apply_to_environment(AppSettings(https_proxy="http://proxy.example.com:8080"))
    assert os.environ["HTTPS_PROXY"] == "http://proxy.example.com:8080"
    assert "AWS_CA_BUNDLE" not in os.environ
