"""A real Secret Service for tests: gnome-keyring-daemon on a private D-Bus session bus.

Each `SecretServiceSession` starts its own dbus-daemon and gnome-keyring-daemon
with a temporary HOME, so tests never see the developer's keyring, and a test
can stop and restart the daemon over the same HOME to check persistence.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

PASSWORD = "test-keyring-password"


def available() -> bool:
    return all(shutil.which(tool) for tool in ("dbus-daemon", "gnome-keyring-daemon"))


class SecretServiceSession:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env: dict[str, str] = {}
        self._bus: subprocess.Popen[bytes] | None = None
        self._keyring_pid: int | None = None

    def __enter__(self) -> "SecretServiceSession":
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        runtime = self.home / "run"
        runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
        base = {
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_RUNTIME_DIR": str(runtime),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        self._bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=base,
        )
        assert self._bus.stdout is not None
        address = self._bus.stdout.readline().decode().strip()
        self.env = {**base, "DBUS_SESSION_BUS_ADDRESS": address}
        # --unlock reads the login keyring's password from stdin, creating the
        # keyring with it on first start; the daemon then forks and prints its pid.
        started = subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
            input=PASSWORD.encode(),
            capture_output=True,
            env=self.env,
            timeout=20,
            check=True,
        )
        for line in started.stdout.decode().splitlines():
            if line.startswith("GNOME_KEYRING_PID="):
                self._keyring_pid = int(line.split("=", 1)[1])
        self._wait_for_service()

    def _wait_for_service(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = subprocess.run(
                [
                    "dbus-send",
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ],
                capture_output=True,
                env=self.env,
                check=False,
            )
            if b"boolean true" in probe.stdout:
                return
            time.sleep(0.05)
        raise RuntimeError("gnome-keyring-daemon did not register org.freedesktop.secrets")

    def stop(self) -> None:
        if self._keyring_pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._keyring_pid, signal.SIGTERM)
            self._keyring_pid = None
        if self._bus is not None:
            self._bus.terminate()
            self._bus.wait(timeout=10)
            assert self._bus.stdout is not None
            self._bus.stdout.close()
            self._bus = None
