"""No screen: one line before Qt loads, instead of Qt's abort (SIGABRT and eight lines)."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ssmclient.gui.display_check import display_problem

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland only")


def _free_display() -> int:
    return next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())


def test_no_display_at_all() -> None:
    problem = display_problem({})
    assert problem is not None
    assert "DISPLAY and WAYLAND_DISPLAY are unset" in problem


@pytest.mark.parametrize("platform", ["offscreen", "minimal", "offscreen:fontengine=freetype"])
def test_headless_qt_platforms_need_no_display(platform: str) -> None:
    assert display_problem({"QT_QPA_PLATFORM": platform}) is None


def test_a_local_display_with_no_server_behind_it() -> None:
    number = _free_display()
    problem = display_problem({"DISPLAY": f":{number}"})
    assert problem is not None
    assert f"X display :{number} does not answer" in problem


def test_wayland_and_remote_displays_are_left_to_qt() -> None:
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert display_problem({"DISPLAY": "otherhost:10.0"}) is None


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
def test_a_running_x_server_is_found() -> None:
    number = _free_display()
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if display_problem({"DISPLAY": f":{number}"}) is None:
                break
            time.sleep(0.05)
        assert display_problem({"DISPLAY": f":{number}.0"}) is None
    finally:
        server.terminate()
        server.wait(timeout=10)
