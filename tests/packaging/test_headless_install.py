"""`ssmclient-headless`: built from this checkout, installed into a fresh venv, used without Qt.

The wheel comes from `scripts/build_headless.py`; pip installs its
dependencies from the package registry as a user's pip would (a minute).
"""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ssmclient import __version__

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(*argv: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        # Nothing of this checkout on the path: the venv's own install is what runs.
        env={**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, **env},
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("headless-dist")
    built = _run(sys.executable, ROOT / "scripts" / "build_headless.py", "--out", out)
    assert built.returncode == 0, built.stderr
    return Path(built.stdout.strip())


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("headless-venv")
    assert _run(sys.executable, "-m", "venv", venv).returncode == 0
    pip = _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
    assert pip.returncode == 0, pip.stderr
    return venv


def test_the_wheel_holds_no_window_and_needs_no_qt(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"ssmclient_headless-{__version__}.dist-info/METADATA").decode()
    assert "ssmclient/cli/main.py" in names
    assert "ssmclient/core/aws/role_chain.py" in names
    assert not [name for name in names if name.startswith("ssmclient/gui/")]
    requirements = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert any("boto3" in line for line in requirements)
    assert not [line for line in requirements if "pyside" in line.lower()]


def test_its_commands_work_and_the_window_is_explained(venv: Path, tmp_path: Path) -> None:
    ssmclient = venv / "bin" / "ssmclient"
    assert _run(venv / "bin" / "python", "-c", "import PySide6").returncode != 0
    version = _run(ssmclient, "--version")
    assert version.stdout == f"ssmclient {__version__}\n"
    listed = _run(ssmclient, "profile", "list", "--json", SSMCLIENT_CONFIG_DIR=str(tmp_path))
    assert (listed.returncode, listed.stdout.strip()) == (0, "[]")
    window = _run(ssmclient, DISPLAY=":0", SSMCLIENT_CONFIG_DIR=str(tmp_path))
    assert window.returncode != 0
    assert window.stderr.startswith("ssmclient: this is ssmclient's headless install")
    assert len(window.stderr.splitlines()) == 1
