"""PyInstaller runtime hook: give the programs ssmclient starts the user's own environment.

On Linux the one-folder bootloader puts the bundle's library folder first on
LD_LIBRARY_PATH (the loader reads it once, at start, so this process keeps
finding its libraries after the variable is restored). Left in os.environ, it
would reach every program ssmclient starts: a terminal emulator would then
load the bundle's older GLib, fontconfig or libstdc++ instead of its own and
could fail to start. The bootloader keeps the user's value in
LD_LIBRARY_PATH_ORIG when there was one.
"""

import os
import sys

if sys.platform.startswith("linux") and getattr(sys, "frozen", False):
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original
