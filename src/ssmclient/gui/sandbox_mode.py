"""`ssmclient --sandbox`: the window against the built-in local AWS sandbox.

The sandbox server (moto) starts off the GUI thread after the window is up;
then this process points botocore, the profile store and the keyring at the
sandbox's throwaway directory, exactly as `ssmclient sandbox`'s export lines
would. Nothing of the user's real profiles, keyring or AWS settings is used.
"""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class RunningSandbox:
    server: Any
    work_dir: tempfile.TemporaryDirectory  # type: ignore[type-arg]
    environment: dict[str, str]
    profile_file: Path
    endpoint_url: str

    def stop(self) -> None:
        self.server.stop()
        self.work_dir.cleanup()


def start_sandbox() -> RunningSandbox:
    """Start the server (seconds: moto is large); runs on a worker thread."""
    try:
        from ssmclient.sandbox.cli import throwaway_environment
        from ssmclient.sandbox.server import SandboxServer
    except ImportError as exc:
        from ssmclient.sandbox_missing import sandbox_missing

        raise sandbox_missing(exc) from None
    work = tempfile.TemporaryDirectory(prefix="ssmclient-sandbox-")
    server = SandboxServer(state_dir=Path(work.name)).start()
    environment = throwaway_environment(server, Path(work.name))
    return RunningSandbox(
        server, work, environment, server.scenario.profile_file, server.endpoint_url
    )


def enter(sandbox: RunningSandbox) -> None:
    """Point this process at the sandbox (GUI thread, before the store is first read)."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            del os.environ[name]
    # keyring chooses its backend (PYTHON_KEYRING_BACKEND: the sandbox's) on first
    # use, which comes after this: the window reads no secret before the sandbox is up.
    os.environ.update(sandbox.environment)
