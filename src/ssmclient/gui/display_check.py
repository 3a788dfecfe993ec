"""Is there a screen to open the window on? Asked before Qt is loaded.

Without one, Qt's xcb plugin aborts the process (SIGABRT) after printing
eight lines about platform plugins, which says nothing to a partner who ran
`ssmclient` over ssh or from a cron job. Here it is one line naming what is
missing, and the commands that need no screen. Qt-free, so it costs nothing
when a screen is there.
"""

import os
import re
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

# Qt platforms that draw without a display server (tests, benchmarks, smoke tests).
_HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "linuxfb", "eglfs")
_LOCAL_X_DISPLAY = re.compile(r"^(?:unix)?:(\d+)(?:\.\d+)?$")


def display_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why the window cannot open here, or None (also None when it cannot tell)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None  # Windows and macOS always have their window server
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform.split(":")[0] in _HEADLESS_PLATFORMS:
        return None
    wayland, display = env.get("WAYLAND_DISPLAY", ""), env.get("DISPLAY", "")
    if not wayland and not display:
        return "there is no screen to open the window on (DISPLAY and WAYLAND_DISPLAY are unset)"
    if wayland:
        return None  # Qt tries Wayland, then X11
    match = _LOCAL_X_DISPLAY.match(display)
    if match is None:
        return None  # a remote or forwarded display: let Qt try it
    # X11's own fixed socket folder, not a temporary file of ours.
    path = Path("/tmp/.X11-unix") / f"X{match.group(1)}"  # noqa: S108
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(2)
        try:
            probe.connect(str(path))
        except OSError:
            # Linux also offers X servers on an abstract socket of the same name.
            try:
                probe.connect("\0" + str(path))
            except OSError:
                return f"the X display {display} does not answer (no X server at {path})"
    return None
