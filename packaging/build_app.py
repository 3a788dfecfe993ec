"""Builds the one-folder app from this checkout, on Linux, Windows or macOS.

Run with the build venv's Python, once the locked build set is installed in
it (packaging/build-linux.sh does that on Linux, the release workflow on the
other runners):

    .venv-build/bin/python packaging/build_app.py

It makes a wheel of the checkout (so the app carries ssmclient's metadata: its
version, its entry point), installs it into the build venv, and runs
PyInstaller on packaging/ssmclient.spec into build/packaging/app. The build
is reproducible: every timestamp is the last commit's (SOURCE_DATE_EPOCH) and
a fixed hash seed keeps PyInstaller's archive order
(https://pyinstaller.org/en/stable/advanced-topics.html#creating-a-reproducible-build).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "packaging"
# PyInstaller's note for each optional library some module might load through
# ctypes (none of them is one the app needs): noise on every build.
_NOISE = "required via ctypes not found"


def source_date_epoch(root: Path = ROOT) -> int:
    """The last commit's time, unless SOURCE_DATE_EPOCH says otherwise."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    result = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%ct"],
        capture_output=True,
        text=True,
        check=False,
    )
    return int(result.stdout.strip() or 0)


def main() -> int:
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch())
    os.environ["PYTHONHASHSEED"] = "0"
    shutil.rmtree(WORK, ignore_errors=True)
    wheels = WORK / "wheel"
    pip = [sys.executable, "-m", "pip", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        check=True,
    )
    [wheel] = wheels.glob("ssmclient-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--force-reinstall", str(wheel)], check=True)
    for leftover in [ROOT / "build" / "lib", ROOT / "src" / "ssmclient.egg-info"]:
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in (ROOT / "build").glob("bdist.*"):
        shutil.rmtree(leftover, ignore_errors=True)
    built = subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
            "--distpath", str(WORK / "app"), "--workpath", str(WORK / "pyinstaller"),
            str(ROOT / "packaging" / "ssmclient.spec"),
        ],
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )  # fmt: skip
    sys.stderr.writelines(
        line for line in built.stderr.splitlines(keepends=True) if _NOISE not in line
    )
    return built.returncode


if __name__ == "__main__":
    sys.exit(main())
