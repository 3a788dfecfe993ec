"""`ssmclient sandbox [--port N] [--instances N]`: the sandbox in the foreground.

Everything it writes lives in a fresh temporary directory, removed on exit: the
profile file, an SSMCLIENT_CONFIG_DIR of its own, empty AWS config and
credentials files and a stand-in session-manager-plugin. Secrets go to the
sandbox keyring (`keyring_backend`), held in the server's memory, so the OS
keyring is not touched either and nothing secret is on disk. The keys it prints are
the sandbox's own fake ones; nothing of the user's real configuration is read
or shown.
"""

import secrets
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
from ssmclient.sandbox.scenario import Scenario
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


CHAIN_CONFIG = "aws-config-chain"


def write_chain_config(scenario: Scenario, endpoint_url: str, work_dir: Path) -> Path:
    """The two hops as AWS config profiles (alice -> hop1 -> hop2 with external_id), for the
    AWS CLI and other clients: `AWS_CONFIG_FILE=THIS aws --profile hop2 ...`."""
    endpoint = f"endpoint_url = {endpoint_url}\nregion = {scenario.region}\n"
    # The AWS CLI caches assumed-role credentials in ~/.aws/cli/cache, keyed by the role,
    # the session name and the External ID, which are the same in every sandbox: a session
    # name of this run's keeps an earlier sandbox's (now unknown) keys from being reused.
    session_name = f"alice-{secrets.token_hex(3)}"
    path = work_dir / CHAIN_CONFIG
    path.write_text(
        "# ssmclient sandbox: fake accounts and keys, for trying AWS's own tools against it.\n"
        f"[profile alice]\naws_access_key_id = {scenario.alice_access_key_id}\n"
        f"aws_secret_access_key = {scenario.alice_secret_access_key}\n{endpoint}\n"
        f"[profile hop1]\nrole_arn = {scenario.partner_role_arn}\n"
        f"source_profile = alice\nrole_session_name = {session_name}\n{endpoint}\n"
        f"[profile hop2]\nrole_arn = {scenario.host_role_arn}\nsource_profile = hop1\n"
        f"external_id = {scenario.external_id}\nrole_session_name = {session_name}\n{endpoint}",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def describe(
    server: SandboxServer, environment: dict[str, str], started_in: float, chain: Path
) -> str:
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
        f"  (its External ID, fake: {scenario.external_id}; it goes to the sandbox's keyring)\n"
        f"Partner user alice: {scenario.alice_user_arn}\n"
        f"Hop 1, alice's role: {scenario.partner_role_arn}\n"
        f"Hop 2, the host's role A: {scenario.host_role_arn}\n"
        f"MFA: the role {scenario.partner_mfa_role_arn} needs it; try it with\n"
        f"  ssmclient profile set-source {shlex.quote(scenario_module.PROFILE_NAME_A)} "
        f"--source-role-arn {scenario.partner_mfa_role_arn} --mfa-serial {scenario.mfa_serial}\n"
        f"  (the code is {scenario.mfa_code})\n"
        "\n"
        "The AWS CLI (or any SSM client), through the same chain as AWS config profiles:\n"
        f"  export AWS_CONFIG_FILE={shlex.quote(str(chain))}"
        f" PATH={shlex.quote(str(Path(environment['SSMCLIENT_PLUGIN']).parent))}:$PATH\n"
        "  aws --profile hop2 ec2 describe-instances --filters "
        f"Name=tag:{scenario.tag_key},Values={scenario.tag_value_a}\n"
        f"  aws --profile hop2 ssm start-session --target {scenario.instances_a[0]}\n"
        f"  aws --profile hop2 ssm start-session --target {scenario.instances_b[0]}"
        "   # party B's: AccessDeniedException\n"
        "(session-manager-plugin there is the sandbox's stand-in: a labelled fake shell; "
        "port forwards reach an echo server that sends back what it gets)\n"
        "\n"
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
            chain = write_chain_config(server.scenario, server.endpoint_url, work_dir)
            print(describe(server, environment, time.perf_counter() - began, chain), flush=True)
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
