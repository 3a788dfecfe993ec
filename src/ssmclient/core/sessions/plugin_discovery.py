"""Finding session-manager-plugin and checking that its version is safe to use.

A GUI started from a desktop does not inherit the login shell's PATH (macOS
gives it only /usr/bin:/bin:/usr/sbin:/sbin), so after the user's setting,
SSMCLIENT_PLUGIN and PATH we look in the places the official installers use.
The plugin is always run by absolute path.
"""

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ssmclient.core.errors import SsmClientError
from ssmclient.core.text import quoted

PLUGIN_ENV = "SSMCLIENT_PLUGIN"
PLUGIN_NAME = "session-manager-plugin"

# Below this the plugin cannot read the response from the environment, so the
# session token would have to go in argv, readable by every local user.
MINIMUM_VERSION = (1, 2, 536, 0)
# AWS's stated minimum (signed websocket connections).
RECOMMENDED_VERSION = (1, 2, 764, 0)

INSTALL_PAGE = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "session-manager-working-with-install-plugin.html"
)
_HOW_TO_INSTALL = {
    "linux": "the .deb or .rpm package from AWS",
    "darwin": "AWS's signed installer, or `brew install --cask session-manager-plugin`",
    "win32": "AWS's SessionManagerPluginSetup.exe",
}
# The plugin prints its version and nothing else ("1.2.764.0"); any other
# output (a wrapper's banner, an error naming some library's version) is not one.
_VERSION_PATTERN = re.compile(r"\d{1,6}(?:\.\d{1,6}){1,3}")


class PluginMissingError(SsmClientError):
    pass


class PluginTooOldError(SsmClientError):
    pass


@dataclass(frozen=True)
class Plugin:
    path: Path
    version: tuple[int, ...]
    warning: str | None  # set when the version works but is below AWS's minimum

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version)


def install_hint(platform: str = sys.platform) -> str:
    """Where and how to install the plugin on this OS, for messages."""
    how = next(
        (text for prefix, text in _HOW_TO_INSTALL.items() if platform.startswith(prefix)), None
    )
    return f"install {how} ({INSTALL_PAGE})" if how else f"install it ({INSTALL_PAGE})"


def usual_locations(platform: str = sys.platform) -> list[Path]:
    if platform.startswith("win"):
        places = []
        for variable in ("ProgramFiles", "ProgramFiles(x86)"):
            base = os.environ.get(variable)
            if base:
                places.append(
                    Path(base) / "Amazon" / "SessionManagerPlugin" / "bin" / f"{PLUGIN_NAME}.exe"
                )
        return places
    return [
        Path("/usr/local/bin") / PLUGIN_NAME,
        Path("/usr/local/sessionmanagerplugin/bin") / PLUGIN_NAME,
        Path("/opt/homebrew/bin") / PLUGIN_NAME,
        Path("/usr/bin") / PLUGIN_NAME,
    ]


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_plugin_path(setting: str | None = None) -> Path:
    """The plugin's absolute path: user setting, SSMCLIENT_PLUGIN, PATH, the usual places."""
    for origin, configured in (("the settings", setting), (PLUGIN_ENV, os.environ.get(PLUGIN_ENV))):
        if configured:
            path = Path(configured).expanduser()
            if not _is_executable(path):
                raise PluginMissingError(
                    f"session-manager-plugin from {origin} ({quoted(str(path), 200)}) "
                    f"is not an executable file; {install_hint()}"
                )
            return path.resolve()
    # Only absolute PATH entries: "" or "." would pick a plugin from whatever
    # directory ssmclient was started in, and hand it the session's credentials.
    search = os.pathsep.join(
        entry for entry in os.environ.get("PATH", "").split(os.pathsep) if os.path.isabs(entry)
    )
    found = shutil.which(PLUGIN_NAME, path=search) if search else None
    if found:
        return Path(found).resolve()
    for candidate in usual_locations():
        if _is_executable(candidate):
            return candidate.resolve()
    raise PluginMissingError(
        f"session-manager-plugin is not installed (or not found): {install_hint()}, "
        f"or set {PLUGIN_ENV} to its path"
    )


def parse_version(text: str) -> tuple[int, ...] | None:
    match = _VERSION_PATTERN.fullmatch(text.strip())
    if match is None:
        return None
    parts = tuple(int(part) for part in match.group(0).split("."))
    return parts + (0,) * (4 - len(parts))


def read_version(path: Path, timeout: float = 10.0) -> tuple[int, ...]:
    try:
        result = subprocess.run(
            [str(path), "--version"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PluginMissingError(
            f"session-manager-plugin at {quoted(str(path), 200)} could not be run "
            f"to read its version: {exc}"
        ) from None
    version = parse_version(result.stdout)
    if version is None:
        raise PluginMissingError(
            f"session-manager-plugin at {quoted(str(path), 200)} did not report a version "
            f"(it printed {quoted(result.stdout.strip(), 60)})"
        )
    return version


def check_version(path: Path, version: tuple[int, ...]) -> Plugin:
    text = ".".join(str(part) for part in version)
    if version < MINIMUM_VERSION:
        raise PluginTooOldError(
            f"session-manager-plugin {text} at {quoted(str(path), 200)} is too old: versions "
            "before 1.2.536.0 need the session token on the command line, where any local user "
            f"can read it; {install_hint()}"
        )
    warning = None
    if version < RECOMMENDED_VERSION:
        warning = (
            f"session-manager-plugin {text} is older than AWS's minimum 1.2.764.0; {install_hint()}"
        )
    return Plugin(path, version, warning)


def find_plugin(setting: str | None = None) -> Plugin:
    """Find the plugin and check its version; raises PluginMissingError / PluginTooOldError."""
    path = find_plugin_path(setting)
    return check_version(path, read_version(path))
