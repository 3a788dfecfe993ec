"""The packaged builds' smoke mode, run as a user's launch runs it (a new process)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from profile_samples import example, write_profile


def launch(tmp_path: Path, *args: str) -> dict[str, object]:
    report = tmp_path / "report.json"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SSMCLIENT_CONFIG_DIR": str(tmp_path / "config"),
        "SSMCLIENT_SMOKE_TEST": str(report),
    }
    began = time.monotonic()
    subprocess.run([sys.executable, "-m", "ssmclient", *args], env=env, timeout=60, check=True)
    data: dict[str, object] = json.loads(report.read_text(encoding="utf-8"))
    assert began < float(data["shown_at"]) < time.monotonic()  # type: ignore[arg-type]
    return data


def test_first_window(tmp_path: Path) -> None:
    data = launch(tmp_path)
    assert data["title"] == "ssmclient"
    assert data["dialogs"] == []
    assert data["error"] is None
    assert data["frozen"] is False


def test_a_file_opens_the_import_dialog(tmp_path: Path) -> None:
    path = write_profile(tmp_path, example())
    data = launch(tmp_path, str(path))
    assert data["file"] == str(path)
    assert data["dialogs"] == ["Import profile"]


@pytest.mark.parametrize("content", [b"{not json", b'{"format": "something else"}'])
def test_a_bad_file_shows_the_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.ssmprofile"
    path.write_bytes(content)
    data = launch(tmp_path, str(path))
    assert data["dialogs"] == []
    assert "bad.ssmprofile' is not a profile file" in str(data["error"])
