"""The window as a Linux screen reader sees it: gui.md's names, roles and journey over AT-SPI.

scripts/a11y/atspi_check.py does the work with the system Python's pyatspi
(Debian's python3-pyatspi; it is not installable into the venv): it starts its
own Xvfb, D-Bus session bus and at-spi-bus-launcher, runs `ssmclient --sandbox`
on the xcb platform (this suite's QT_QPA_PLATFORM=offscreen has no AT-SPI
bridge) and drives import, sign-in, listing, search and a port forward through
AT-SPI actions only. Its output is the accessible tree and a list of what is
missing or mis-roled.
"""

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "a11y" / "atspi_check.py"
SYSTEM_PYTHON = Path("/usr/bin/python3")
BUS_LAUNCHER = Path("/usr/libexec/at-spi-bus-launcher")
TIMEOUT = 180  # seconds; the script gives up on its own after --deadline
DEADLINE = 150


def missing_prerequisite() -> str | None:
    """Why the check cannot run here, or None."""
    if not sys.platform.startswith("linux"):
        return "AT-SPI is the Linux accessibility bus"
    if not SYSTEM_PYTHON.exists():
        return f"no system Python at {SYSTEM_PYTHON} (for python3-pyatspi)"
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import pyatspi"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return f"{SYSTEM_PYTHON} cannot import pyatspi (apt install python3-pyatspi): {last}"
    if not BUS_LAUNCHER.exists():
        return f"no {BUS_LAUNCHER} (apt install at-spi2-core)"
    for tool, package in (("Xvfb", "xvfb"), ("dbus-launch", "dbus-x11"), ("dbus-send", "dbus")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt install {package})"
    return None


def ssmclient_command() -> Path | None:
    """The console script of the environment running these tests."""
    for candidate in (
        Path(sys.executable).parent / "ssmclient",
        ROOT / ".venv" / "bin" / "ssmclient",
    ):
        if candidate.exists():
            return candidate
    return None


@pytest.mark.slow
def test_the_window_keeps_gui_md_accessibility_contract_over_atspi() -> None:
    reason = missing_prerequisite()
    if reason is not None:
        pytest.skip(reason)
    app = ssmclient_command()
    if app is None:
        pytest.skip("no ssmclient console script in this environment (pip install -e .)")
    process = subprocess.Popen(
        [str(SYSTEM_PYTHON), str(SCRIPT), "--app", str(app), "--deadline", str(DEADLINE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        # SIGTERM lets the script stop the app, its buses and Xvfb.
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        pytest.fail(f"atspi_check.py took longer than {TIMEOUT} s; its output:\n{output}")
    assert process.returncode == 0, (
        f"atspi_check.py exited {process.returncode} (1: gui.md not met, 2: could not start); "
        f"its output:\n{output}"
    )
