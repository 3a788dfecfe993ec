"""`ssmclient sandbox [--port N] [--instances N]`: the sandbox in the foreground.

Everything it writes lives in a fresh temporary directory, removed on exit: the
profile file, an SSMCLIENT_CONFIG_DIR of its own, empty AWS config and
credentials files and a stand-in session-manager-plugin. Secrets go to the
sandbox keyring (`keyring_backend`), held in the server's memory, so the OS
keyring is not touched either and nothing secret is on disk. The keys it prints are
the sandbox's own fake ones; nothing of the user's real configuration is read
or shown.
"""

import shlex
import signal
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from ssmclient.sandbox import scenario as scenario_module
from ssmclient.sandbox.keyring_backend import TOKEN_VARIABLE, URL_VARIABLE, SandboxKeyring
from ssmclient.sandbox.server import SandboxServer
from ssmclient.sandbox.session_program import install_stand_in


def throwaway_environment(server: SandboxServer, work_dir: Path) -> dict[str, str]:
    scenario = server.scenario
    config_dir = work_dir / "ssmclient-config"
    config_dir.mkdir(mode=0o700, exist_ok=True)
    aws_config = work_dir / "empty-aws-config"
    aws_credentials = work_dir / "empty-aws-credentials"
    aws_config.touch()
    aws_credentials.touch()
    plugin = install_stand_in(work_dir / "bin")
    return {
        "AWS_ENDPOINT_URL": server.endpoint_url,
        "AWS_ACCESS_KEY_ID": scenario.alice_access_key_id,
        "AWS_SECRET_ACCESS_KEY": scenario.alice_secret_access_key,
        "AWS_DEFAULT_REGION": scenario.region,
        "AWS_CONFIG_FILE": str(aws_config),
        "AWS_SHARED_CREDENTIALS_FILE": str(aws_credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
        "SSMCLIENT_CONFIG_DIR": str(config_dir),
        "SSMCLIENT_PLUGIN": str(plugin),
        "PYTHON_KEYRING_BACKEND": f"{SandboxKeyring.__module__}.{SandboxKeyring.__name__}",
        URL_VARIABLE: server.endpoint_url,
        TOKEN_VARIABLE: server.control_token,
    }


def describe(server: SandboxServer, environment: dict[str, str], started_in: float) -> str:
    scenario = server.scenario
    exports = "\n".join(f"export {k}={shlex.quote(v)}" for k, v in environment.items())
    return (
        f"ssmclient sandbox: local AWS on {server.endpoint_url} "
        f"(started in {started_in:.2f} s at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC)\n"
        "Everything here is fake: made-up accounts, keys and instances; no real AWS is called.\n"
        "\n"
        "Point ssmclient (or the AWS CLI) at it from another terminal:\n"
        f"{exports}\n"
        "\n"
        f"Profile file for Third_Party_A: {scenario.profile_file}\n"
        f"  ssmclient profile import {shlex.quote(str(scenario.profile_file))}\n"
        f"Partner user alice: {scenario.alice_user_arn} (MFA {scenario.mfa_serial}, "
        f"code {scenario.mfa_code})\n"
        f"Host role A: {scenario.host_role_arn}\n"
        "Host administrator (for `ssmclient host ...` and resources/host/*.yaml): "
        f"AWS_ACCESS_KEY_ID={scenario.host_admin_access_key_id} "
        f"AWS_SECRET_ACCESS_KEY={scenario.host_admin_secret_access_key}\n"
        f"A instances in {scenario.region}: {len(scenario.instances_a)} "
        f"(one stopped: {scenario.instance_a_stopped}); B: {len(scenario.instances_b)}\n"
        f"Control API token (X-Sandbox-Token): {server.control_token}\n"
        "\n"
        "Press Ctrl+C to stop; the directory above is removed then.\n"
    )


class _Stopped(Exception):  # noqa: N818 - a signal, not an error
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise _Stopped(signum)


def _stop_on_signals() -> None:
    """Ctrl+C, `kill -INT` and `kill` (TERM) all stop the sandbox and remove its directory.

    A job started in the background (`ssmclient sandbox &`) inherits SIGINT
    ignored, and Python's default SIGTERM ends the process without cleaning up.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)


def run_sandbox_command(port: int | None, instances: int | None) -> int:
    began = time.perf_counter()
    _stop_on_signals()
    with tempfile.TemporaryDirectory(prefix="ssmclient-sandbox-") as work:
        work_dir = Path(work)
        server = SandboxServer(
            port=port or 0,
            instances=instances or scenario_module.DEFAULT_A_INSTANCES,
            state_dir=work_dir,
        )
        try:
            server.start()
        except OSError as exc:
            print(f"ssmclient sandbox: cannot listen on 127.0.0.1:{port}: {exc}", file=sys.stderr)
            return 1
        try:
            environment = throwaway_environment(server, work_dir)
            print(describe(server, environment, time.perf_counter() - began), flush=True)
            threading.Event().wait()
        except _Stopped as stopped:
            print("\nssmclient sandbox: stopped", file=sys.stderr)
            return 128 + stopped.signum
        finally:
            # Not stopped twice: a second signal now would skip the clean-up.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            server.stop()
    return 0
