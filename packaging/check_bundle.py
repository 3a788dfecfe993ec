"""Checks a built one-folder app before it is packaged; run by package.py (or by hand).

- every ELF file's libraries resolve (ldd, with the library path the bootloader
  sets), and the ones from outside the bundle are listed: the packages'
  dependencies are computed from them;
- keyring's backends are reachable frozen: its entry points ship, and the
  backend modules for this platform are in the archive;
- what the app needs is in the archive, and what it must not carry is not.

    python packaging/check_bundle.py build/packaging/app/ssmclient
"""

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Modules the frozen app imports lazily (the window, the AWS side, the keyring
# backend); a packaging mistake would show only when a partner first signs in.
REQUIRED_MODULES = (
    "ssmclient.gui.main_window",
    "ssmclient.gui.smoke_test",
    "ssmclient.core.aws.role_chain",
    "ssmclient.core.terminals.handoff",
    "botocore.credentials",
    "multiprocessing.connection",
)
# Each platform's keyring backend and what it stands on.
KEYRING_MODULES = {
    "linux": ("keyring.backends.SecretService", "secretstorage", "jeepney"),
    "win32": ("keyring.backends.Windows", "win32ctypes.pywin32.win32cred"),
    "darwin": ("keyring.backends.macOS",),
}
# The sandbox stays out of the installers (README: "The sandbox").
FORBIDDEN_MODULES = ("moto", "ssmclient.sandbox", "boto3", "flask")
REQUIRED_BOTOCORE_SERVICES = (
    "sts",
    "ec2",
    "ssm",
    "sso",
    "sso-oidc",
    "signin",
    "iam",
    "cloudformation",
)


@dataclass
class BundleReport:
    size_bytes: int = 0
    files: int = 0
    missing: list[str] = field(default_factory=list)  # "file: library"
    external: set[str] = field(default_factory=set)  # resolved paths outside the bundle
    elf_files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def check_libraries(app: Path, report: BundleReport) -> None:
    internal = app / "_internal"
    env = {"LD_LIBRARY_PATH": str(internal), "PATH": "/usr/bin:/bin"}
    for path in sorted(app.rglob("*")):
        if path.is_symlink() or not path.is_file() or not _is_elf(path):
            continue
        report.elf_files.append(path)
        result = subprocess.run(
            ["ldd", str(path)], capture_output=True, text=True, env=env, check=False
        )
        for line in result.stdout.splitlines():
            parts = line.split()
            if "=>" not in parts:
                continue
            name, target = parts[0], parts[parts.index("=>") + 1]
            if target == "not":
                report.missing.append(f"{path.relative_to(app)}: {name}")
            elif not Path(target).resolve().is_relative_to(app.resolve()):
                report.external.add(str(Path(target).resolve()))
    if report.missing:
        report.problems.append(f"libraries not found: {', '.join(report.missing)}")


def check_archive(app: Path, report: BundleReport) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    executable = app / ("ssmclient.exe" if sys.platform == "win32" else "ssmclient")
    archive = CArchiveReader(str(executable)).open_embedded_archive("PYZ.pyz")
    modules = set(archive.toc)
    for name in REQUIRED_MODULES + KEYRING_MODULES.get(sys.platform, ()):
        if name not in modules:
            report.problems.append(f"module {name} is not in the archive")
    for name in FORBIDDEN_MODULES:
        if any(module == name or module.startswith(name + ".") for module in modules):
            report.problems.append(f"module {name} must not be in the bundle")


def check_data(app: Path, report: BundleReport) -> None:
    internal = app / "_internal"
    entry_points = list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    if not entry_points or "keyring.backends" not in entry_points[0].read_text(encoding="utf-8"):
        report.problems.append("keyring's entry points (its backends) are not in the bundle")
    if not list(internal.glob("ssmclient-*.dist-info/METADATA")):
        report.problems.append("ssmclient's metadata (its version) is not in the bundle")
    services = {path.name for path in (internal / "botocore" / "data").iterdir() if path.is_dir()}
    for service in REQUIRED_BOTOCORE_SERVICES:
        if service not in services:
            report.problems.append(f"botocore's {service} model is not in the bundle")
    if not (internal / "botocore" / "data" / "endpoints.json").is_file():
        report.problems.append("botocore's endpoints.json is not in the bundle")
    if not list(internal.glob("ssmclient/gui/icons/ssmclient.svg")):
        report.problems.append("the window's icons are not in the bundle")


def check(app: Path) -> BundleReport:
    report = BundleReport()
    for path in app.rglob("*"):
        if path.is_symlink() and not path.exists():
            report.problems.append(f"{path.relative_to(app)} is a dangling link")
        elif path.is_file() and not path.is_symlink():
            report.files += 1
            report.size_bytes += path.stat().st_size
    if sys.platform.startswith("linux"):
        check_libraries(app, report)
    check_archive(app, report)
    check_data(app, report)
    return report


def main() -> int:
    app = Path(sys.argv[1])
    report = check(app)
    print(
        json.dumps(
            {
                "size_mib": round(report.size_bytes / 2**20, 1),
                "files": report.files,
                "external_libraries": sorted(report.external),
                "problems": report.problems,
            },
            indent=2,
        )
    )
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
