"""The Linux packages, built from this checkout and installed as a partner installs them.

Builds the one-folder app and every package with `packaging/build-linux.sh`
(a few minutes), installs the .deb system-wide with dpkg, and uses the
installed `/usr/bin/ssmclient` the way a partner does: the CLI against the
sandbox with a real Secret Service keyring, the window offscreen, the
`.ssmprofile` association through shared-mime-info and `gio open`. The last
test removes the package and checks nothing is left. The tests run in file
order and share the module's one build and one installation.

Installing needs root (CI runs as root); the module is skipped without it, and
also where an ssmclient package is already installed (it would be replaced).
"""

import json
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssmclient import __version__
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import install_stand_in, read_records

import secret_service

ROOT = Path(__file__).resolve().parents[2]
INSTALLED = Path("/usr/bin/ssmclient")
MIME_TYPE = "application/x-ssmclient-profile"
DESKTOP_FILE = "ssmclient.desktop"


def _package_installed() -> bool:
    if shutil.which("dpkg-query") is None:
        return False
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", "ssmclient"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return "install ok installed" in status


def _skip_reason() -> str | None:
    if shutil.which("dpkg") is None:
        return "not a Debian system (dpkg)"
    if os.geteuid() != 0:
        return "installs a .deb system-wide: run as root (CI does)"
    if _package_installed():
        return "an ssmclient package is installed here; the test would replace it"
    return None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or ""),
]


def run(*command: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("timeout", 120)
    result: subprocess.CompletedProcess[str] = subprocess.run(  # type: ignore[call-overload]
        [str(part) for part in command], text=True, check=False, **kwargs
    )
    assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
    return result


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """What a partner's own shell would have: none of the test run's Python or AWS settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "PYTHON", "SSMCLIENT_", "QT_", "VIRTUAL_ENV", "LD_"))
    }
    env.update(
        {
            "HOME": str(tmp / "home"),
            "SSMCLIENT_CONFIG_DIR": str(tmp / "config"),
            "PATH": "/usr/bin:/bin",
            "AWS_CONFIG_FILE": str(tmp / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    (tmp / "home").mkdir(exist_ok=True)
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [str(ROOT / "packaging" / "build-linux.sh"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def one(folder: Path, pattern: str) -> Path:
    [found] = folder.glob(pattern)
    return found


@pytest.fixture(scope="module")
def deb(dist: Path) -> Path:
    return one(dist, "ssmclient_*.deb")


@pytest.fixture(scope="module")
def installed(deb: Path) -> Iterator[Path]:
    run("dpkg", "-i", deb, timeout=600)
    yield INSTALLED
    if _package_installed():
        subprocess.run(["dpkg", "--purge", "ssmclient"], capture_output=True, check=False)


def test_every_artifact_has_its_checksum(dist: Path) -> None:
    listed = {
        line.split()[1] for line in (dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    }
    assert listed == {path.name for path in dist.iterdir()} - {"SHA256SUMS"}
    assert {name.rsplit(".", 1)[-1] for name in listed} == {"deb", "rpm", "gz", "json"}
    run("sha256sum", "--check", "--strict", "SHA256SUMS", cwd=dist)


def test_the_sbom_lists_the_locked_versions_of_what_is_bundled(dist: Path) -> None:
    sbom = json.loads(one(dist, "ssmclient-*.cdx.json").read_text(encoding="utf-8"))
    assert sbom["bomFormat"] == "CycloneDX"
    assert sbom["metadata"]["component"]["name"] == "ssmclient"
    versions = {c["name"].lower(): c.get("version") for c in sbom["components"]}
    locked = {}
    for line in (ROOT / "packaging" / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, pinned = line.split(" ")[0].split("==")
            locked[name.lower()] = pinned
    for name in ("botocore", "pyside6-essentials", "keyring", "secretstorage", "cryptography"):
        assert versions[name] == locked[name], name
    assert "moto" not in versions  # the sandbox stays out of the installers
    assert "boto3" not in versions
    # The system libraries PyInstaller copied in are named with their Debian package.
    assert any(c.get("purl", "").startswith("pkg:deb/debian/libxcb") for c in sbom["components"])


def test_the_deb_declares_what_it_needs_and_holds_what_it_installs(deb: Path) -> None:
    fields = run("dpkg-deb", "--field", deb).stdout
    depends = next(line for line in fields.splitlines() if line.startswith("Depends:"))
    assert "libc6 (>= " in depends
    assert "libegl1" in depends  # the system's GL, which the bundle must not carry
    for name in ("shared-mime-info", "desktop-file-utils"):
        assert name in fields.split("Recommends:", 1)[1].splitlines()[0]
    contents = run("dpkg-deb", "--contents", deb).stdout
    for path in (
        "./usr/lib/ssmclient/ssmclient",
        "./usr/bin/ssmclient -> ../lib/ssmclient/ssmclient",
        "./usr/share/applications/ssmclient.desktop",
        "./usr/share/mime/packages/ssmclient.xml",
        "./usr/share/icons/hicolor/scalable/apps/ssmclient.svg",
        "./usr/share/icons/hicolor/scalable/mimetypes/application-x-ssmclient-profile.svg",
    ):
        assert path in contents, path
    assert "/sandbox/" not in contents


def test_the_rpm_declares_sonames_and_refreshes_the_mime_database(dist: Path) -> None:
    if shutil.which("rpm") is None:
        pytest.skip("rpm is not installed")
    rpm = one(dist, "ssmclient-*.rpm")
    requires = run("rpm", "-qp", "--requires", rpm).stdout
    assert "libc.so.6()(64bit)" in requires
    assert "libEGL.so.1()(64bit)" in requires
    assert "glibc >= 2." in requires  # the floor the bundle's libraries need
    files = run("rpm", "-qlp", rpm).stdout.splitlines()
    assert "/usr/bin/ssmclient" in files
    assert "/usr/share/mime/packages/ssmclient.xml" in files
    assert "/usr/share/icons" not in files  # the theme's folder is not the package's
    assert "update-mime-database" in run("rpm", "-qp", "--scripts", rpm).stdout


def test_the_installed_command_says_its_version(installed: Path, tmp_path: Path) -> None:
    result = run(installed, "--version", env=clean_env(tmp_path))
    assert result.stdout.strip() == f"ssmclient {__version__}"


def test_the_installed_app_says_in_one_line_where_the_sandbox_is(
    installed: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [installed, "sandbox"],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "./scripts/run.sh --sandbox" in line


def test_the_frozen_cli_imports_lists_and_connects_through_the_sandbox(
    installed: Path, alice: Sandbox, tmp_path: Path
) -> None:
    if not secret_service.available():
        pytest.skip("gnome-keyring-daemon and dbus-daemon are needed")
    # The plugin is found as the source app finds it (SSMCLIENT_PLUGIN here);
    # a wrapper in front of the stand-in records what the frozen app's child
    # processes inherit: never the bundle's own library path.
    stand_in = install_stand_in(tmp_path / "plugin-bin", record_to=tmp_path / "plugin.jsonl")
    wrapper = tmp_path / "plugin-bin" / "plugin-wrapper"
    seen = tmp_path / "plugin-env.txt"
    wrapper.write_text(
        f'#!/bin/sh\necho "LD_LIBRARY_PATH=${{LD_LIBRARY_PATH-unset}}" >> "{seen}"\n'
        f'exec "{stand_in}" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    with secret_service.SecretServiceSession(tmp_path / "keyring-home") as keyring_session:
        env = clean_env(
            tmp_path,
            **keyring_session.env,
            **{k: v for k, v in alice.env().items() if k.startswith("AWS_")},
            SSMCLIENT_PLUGIN=str(wrapper),
        )
        env["HOME"] = keyring_session.env["HOME"]

        def frozen(*args: str, stdin: str = "") -> str:
            return run(installed, *args, env=env, input=stdin).stdout

        frozen("profile", "import", str(alice.scenario.profile_file), "--yes")
        [profile] = json.loads(frozen("profile", "list", "--json"))
        listed = json.loads(frozen("instances", "--profile", profile["name"], "--json"))
        assert {row["instance_id"] for row in listed} == set(alice.scenario.instances_a)
        target = alice.scenario.instances_a[0]
        frozen(
            "connect", "--profile", profile["name"], target, "--terminal", "inline",
            stdin="exit\n",
        )  # fmt: skip
    sessions = [
        r for r in read_records(tmp_path / "plugin.jsonl") if r["argv"][1:] != ["--version"]
    ]
    assert len(sessions) == 1
    assert json.loads(sessions[0]["argv"][5]) == {"Target": target}
    assert "AWS_SESSION_TOKEN" in sessions[0]["env_present"]
    assert set(seen.read_text(encoding="utf-8").splitlines()) == {"LD_LIBRARY_PATH=unset"}


def smoke_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    report = tmp_path / "report.json"
    env = clean_env(tmp_path, QT_QPA_PLATFORM="offscreen", SSMCLIENT_SMOKE_TEST=str(report))
    return env, report


def test_the_frozen_window_starts_offscreen(installed: Path, tmp_path: Path) -> None:
    env, report = smoke_env(tmp_path)
    run(installed, env=env, timeout=60)
    shown = json.loads(report.read_text(encoding="utf-8"))
    assert shown["frozen"] is True
    assert shown["title"] == "ssmclient"
    assert shown["dialogs"] == []
    assert shown["error"] is None


def write_sample(tmp_path: Path, alice_file: Path) -> Path:
    sample = tmp_path / "From the host.ssmprofile"
    shutil.copy(alice_file, sample)
    return sample


def test_the_system_resolves_ssmprofile_files_to_the_app(
    installed: Path, alice: Sandbox, tmp_path: Path
) -> None:
    sample = write_sample(tmp_path, alice.scenario.profile_file)
    env = clean_env(tmp_path, XDG_DATA_DIRS="/usr/local/share:/usr/share")
    # gio reads the MIME database as a GNOME desktop does; xdg-mime asks gio
    # when it is told it runs under GNOME.
    info = run("gio", "info", "--attributes=standard::content-type", sample, env=env).stdout
    assert f"standard::content-type: {MIME_TYPE}" in info
    assert DESKTOP_FILE in run("gio", "mime", MIME_TYPE, env=env).stdout
    gnome = {**env, "XDG_CURRENT_DESKTOP": "GNOME"}
    assert run("xdg-mime", "query", "filetype", sample, env=gnome).stdout.strip() == MIME_TYPE
    assert run("xdg-mime", "query", "default", MIME_TYPE, env=env).stdout.strip() == DESKTOP_FILE


def test_gio_open_starts_the_app_with_the_file(
    installed: Path, alice: Sandbox, tmp_path: Path
) -> None:
    sample = write_sample(tmp_path, alice.scenario.profile_file)
    env, report = smoke_env(tmp_path)
    # What a double-click in a file manager does: the desktop entry's Exec line.
    run("gio", "open", sample, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not report.exists():
        time.sleep(0.1)
    shown = json.loads(report.read_text(encoding="utf-8"))
    assert shown["frozen"] is True
    assert shown["file"] == str(sample)
    assert shown["dialogs"] == ["Import profile"]


def test_the_tarball_runs_and_installs_for_one_user(dist: Path, tmp_path: Path) -> None:
    with tarfile.open(one(dist, "ssmclient-*-linux-*.tar.gz")) as archive:
        assert all(member.uid == 0 and member.uname == "root" for member in archive.getmembers())
        archive.extractall(tmp_path / "unpacked", filter="tar")
    [folder] = (tmp_path / "unpacked").iterdir()
    env = clean_env(tmp_path)
    assert run(folder / "ssmclient" / "ssmclient", "--version", env=env).stdout.startswith(
        "ssmclient "
    )
    home = Path(env["HOME"])
    run(folder / "install-user.sh", env=env)
    command = home / ".local" / "bin" / "ssmclient"
    assert run(command, "--version", env=env).stdout.strip() == f"ssmclient {__version__}"
    desktop = home / ".local" / "share" / "applications" / DESKTOP_FILE
    assert f"Exec={home}/.local/lib/ssmclient/ssmclient %f" in desktop.read_text(encoding="utf-8")
    run(folder / "install-user.sh", "--remove", env=env)
    assert not command.exists()
    assert not command.is_symlink()
    assert not (home / ".local" / "lib" / "ssmclient").exists()
    assert not desktop.exists()


def test_removing_the_package_leaves_nothing(installed: Path, deb: Path, tmp_path: Path) -> None:
    files = [
        "/" + line.split(None, 5)[5].split(" -> ")[0].lstrip("./")
        for line in run("dpkg-deb", "--contents", deb).stdout.splitlines()
        if not line.startswith("d")
    ]
    run("dpkg", "--purge", "ssmclient", timeout=300)
    assert not _package_installed()
    left = [path for path in files if os.path.lexists(path)]
    assert left == []
    assert not Path("/usr/lib/ssmclient").exists()
    env = clean_env(tmp_path, XDG_DATA_DIRS="/usr/local/share:/usr/share")
    # The triggers ran again: the type and the association are gone with the package.
    assert DESKTOP_FILE not in run("gio", "mime", MIME_TYPE, env=env).stdout
    cache = Path("/usr/share/applications/mimeinfo.cache")
    assert not cache.exists() or DESKTOP_FILE not in cache.read_text(encoding="utf-8")
    assert MIME_TYPE not in Path("/usr/share/mime/globs2").read_text(encoding="utf-8")
