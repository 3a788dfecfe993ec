"""The seeded scenario, its profile file, reseeding, SSO credentials and `ssmclient sandbox`."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import botocore.credentials
import botocore.session
import pytest
from sandbox_helpers import make_client

from ssmclient.core.profile_file import read_profile_file
from ssmclient.sandbox.client import Sandbox


def test_scenario_names(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    assert scenario.partner_account != scenario.host_account
    assert (scenario.region, scenario.second_region) == ("us-east-1", "us-west-2")
    assert (
        scenario.partner_role_arn
        == f"arn:aws:iam::{scenario.partner_account}:role/3P_IAM_Assume_Role"
    )
    assert scenario.host_role_arn == (
        f"arn:aws:iam::{scenario.host_account}:role/SSMStartSession_IAM_Role_ThirdPartyA"
    )
    assert (scenario.tag_key, scenario.tag_value_a) == ("ExternalAccessGrantedTo", "Third_Party_A")
    assert scenario.mfa_code.isdigit()
    assert len(scenario.mfa_code) == 6
    assert scenario.instance_a_stopped in scenario.instances_a
    assert set(scenario.instances_a_unnamed) < set(scenario.instances_a)
    # Every call lands in the caller's own account: alice sees the partner's IAM only.
    iam = make_client(aws_sandbox, "iam")
    assert iam.get_role(RoleName="3P_IAM_Assume_Role")["Role"]["Arn"] == scenario.partner_role_arn
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="SSMStartSession_IAM_Role_ThirdPartyA")


def test_profile_file_is_valid_and_points_at_the_sandbox_roles(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    imported = read_profile_file(scenario.profile_file)
    document = json.loads(scenario.profile_file.read_text())
    assert document["role_arn"] == scenario.host_role_arn
    assert document["source_role_arn"] == scenario.partner_role_arn
    assert document["external_id"] == scenario.external_id
    assert document["instance_tag"] == {"key": scenario.tag_key, "value": scenario.tag_value_a}
    assert imported is not None


def test_reseed_changes_the_size_and_reset_restores_it(aws_sandbox: Sandbox) -> None:
    bigger = aws_sandbox.reseed(40)
    assert len(bigger.instances_a) == 40
    assert aws_sandbox.reset().instances_a != bigger.instances_a
    assert len(aws_sandbox.scenario.instances_a) == 6


def test_sso_role_credentials_act_as_alice(
    aws_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = aws_sandbox.scenario
    start_url = "https://sandbox.awsapps.com/start"
    config = tmp_path / "config"
    config.write_text(
        "[profile partner-sso]\n"
        f"sso_start_url = {start_url}\nsso_region = us-east-1\n"
        f"sso_account_id = {scenario.partner_account}\nsso_role_name = PartnerEngineer\n"
        "region = us-east-1\n"
    )
    cache = tmp_path / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    import hashlib

    (cache / (hashlib.sha1(start_url.encode()).hexdigest() + ".json")).write_text(  # noqa: S324
        json.dumps(
            {
                "startUrl": start_url,
                "region": "us-east-1",
                "accessToken": "sandbox-token",
                "expiresAt": "2099-01-01T00:00:00Z",
            }
        )
    )
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    # botocore fixes its token cache directory (~/.aws/sso/cache) when it is imported.
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_sandbox.endpoint_url)
    session = botocore.session.Session(profile="partner-sso")
    sts: Any = session.create_client("sts", region_name="us-east-1")
    arn = sts.get_caller_identity()["Arn"]
    assert arn.startswith(
        f"arn:aws:sts::{scenario.partner_account}:assumed-role/AWSReservedSSO_PartnerEngineer_"
    )
    # ...and it may do hop 1, like alice.
    sts.assume_role(RoleArn=scenario.partner_role_arn, RoleSessionName="alice")
    assert aws_sandbox.count("GetRoleCredentials") == 1


def test_sso_refuses_other_accounts(aws_sandbox: Sandbox) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(  # noqa: S310
        f"{aws_sandbox.endpoint_url}/federation/credentials?role_name=X&account_id=111122223333",
        headers={"x-amz-sso_bearer_token": "t"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert caught.value.code == 403
    assert caught.value.headers["x-amzn-ErrorType"] == "ForbiddenException"


def _ignore_sigint() -> None:
    # What a shell does for a job started in the background with `&`.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("how", "stop", "status"),
    [
        ("in the foreground", signal.SIGINT, 130),
        ("in the background", signal.SIGINT, 130),
        ("in the foreground", signal.SIGTERM, 143),
    ],
)
def test_sandbox_command_runs_until_interrupted(
    tmp_path: Path, how: str, stop: signal.Signals, status: int
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSMCLIENT_"))}
    code = (
        "import sys; from ssmclient.sandbox.cli import run_sandbox_command; "
        "sys.exit(run_sandbox_command(None, 4))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        preexec_fn=_ignore_sigint if how == "in the background" else None,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("Press Ctrl+C"):
            break
    text = "".join(lines)
    exports = dict(
        line.strip().removeprefix("export ").split("=", 1)
        for line in lines
        if line.startswith("export ")
    )
    assert exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    config_dir = Path(exports["SSMCLIENT_CONFIG_DIR"])
    assert config_dir.is_dir()
    assert Path.home() not in config_dir.parents
    assert "PYTHON_KEYRING_BACKEND" in exports
    profile = next(
        line.split(": ", 1)[1].strip() for line in lines if line.startswith("Profile file")
    )
    assert Path(profile).is_file()
    assert "started in" in text
    process.send_signal(stop)
    assert process.wait(timeout=15) == status
    assert not Path(profile).exists()  # the sandbox's directory is removed on exit
    assert not Path(profile).parent.exists()
