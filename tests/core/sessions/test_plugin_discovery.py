"""Finding session-manager-plugin and refusing unsafe versions."""

import os
from pathlib import Path

import pytest

from ssmclient.core.sessions import plugin_discovery
from ssmclient.core.sessions.plugin_discovery import (
    PluginMissingError,
    PluginTooOldError,
    find_plugin,
    find_plugin_path,
    parse_version,
)
from ssmclient.sandbox.session_program import install_stand_in


@pytest.fixture(autouse=True)
def nothing_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SSMCLIENT_PLUGIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    monkeypatch.setattr(plugin_discovery, "usual_locations", lambda platform=None: [])


def test_setting_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from_setting = install_stand_in(tmp_path / "a")
    from_env = install_stand_in(tmp_path / "b")
    monkeypatch.setenv("SSMCLIENT_PLUGIN", str(from_env))
    assert find_plugin_path(str(from_setting)) == from_setting.resolve()
    assert find_plugin_path(None) == from_env.resolve()


def test_path_then_usual_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path = install_stand_in(tmp_path / "on-path")
    usual = install_stand_in(tmp_path / "usual")
    monkeypatch.setattr(plugin_discovery, "usual_locations", lambda platform=None: [usual])
    assert find_plugin_path() == usual.resolve()
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert find_plugin_path() == on_path.resolve()


def test_usual_locations_per_os(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    linux = [str(p) for p in plugin_discovery.usual_locations("linux")]
    assert "/usr/local/sessionmanagerplugin/bin/session-manager-plugin" in linux
    assert (
        "/opt/homebrew/bin/session-manager-plugin"
        in plugin_discovery.usual_locations("darwin")[2].as_posix()
    )
    monkeypatch.setenv("ProgramFiles", "C:\\Program Files")
    windows = plugin_discovery.usual_locations("win32")
    assert str(windows[0]).endswith("session-manager-plugin.exe")


def test_missing_plugin_says_where_to_get_it() -> None:
    with pytest.raises(PluginMissingError) as caught:
        find_plugin()
    assert "https://docs.aws.amazon.com/" in caught.value.message
    assert "SSMCLIENT_PLUGIN" in caught.value.message


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_install_hint_names_the_os_package(platform: str) -> None:
    hint = plugin_discovery.install_hint(platform)
    assert {"linux": ".deb", "darwin": "brew", "win32": ".exe"}[platform] in hint


def test_configured_path_that_is_not_executable(tmp_path: Path) -> None:
    not_executable = tmp_path / "plugin"
    not_executable.write_text("")
    with pytest.raises(PluginMissingError, match="not an executable file"):
        find_plugin(str(not_executable))


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("1.2.764.0\n", (1, 2, 764, 0)),
        ("1.2.536\n", (1, 2, 536, 0)),
        ("  1.2.779.0\r\n", (1, 2, 779, 0)),
        ("junk", None),
        # Only output that is a version: a wrapper's banner or an error that
        # happens to hold a version-like token is not the plugin's version.
        ("Error: needs glibc 2.36\n", None),
        ("session-manager-plugin 1.2.764.0 (wrapped)\n", None),
        ("1.2.764.0\nupdate available: 9.9.9.9\n", None),
        ("1.2.764.0.1\n", None),
    ],
)
def test_parse_version(text: str, version: tuple[int, ...] | None) -> None:
    assert parse_version(text) == version


def test_too_old_plugin_is_refused(tmp_path: Path) -> None:
    old = install_stand_in(tmp_path, version="1.2.497.0")
    with pytest.raises(PluginTooOldError, match="command line"):
        find_plugin(str(old))


def test_old_but_safe_plugin_gets_a_warning(tmp_path: Path) -> None:
    plugin = find_plugin(str(install_stand_in(tmp_path, version="1.2.553.0")))
    assert plugin.warning is not None
    assert "1.2.764.0" in plugin.warning


def test_current_plugin(tmp_path: Path) -> None:
    plugin = find_plugin(str(install_stand_in(tmp_path, version="1.2.779.0")))
    assert plugin.version_text == "1.2.779.0"
    assert plugin.warning is None
    assert os.path.isabs(plugin.path)


def test_relative_path_entries_are_not_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_stand_in(tmp_path / "here")
    monkeypatch.chdir(tmp_path / "here")
    monkeypatch.setenv("PATH", os.pathsep.join(["", ".", "here"]))
    with pytest.raises(PluginMissingError):
        find_plugin_path()
