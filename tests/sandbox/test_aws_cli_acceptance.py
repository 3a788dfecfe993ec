"""The issue's acceptance: the real AWS CLI runs the host's commands and gets AWS's answers.

Every command is `.venv/bin/aws` in a child process with `aws_sandbox.env()`:
no AWS_* variable of the test process, empty config files, sandbox endpoint.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ssmclient.sandbox.cli import write_chain_config
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import install_stand_in, read_records, secret_digest

AWS = Path(sys.executable).with_name("aws")

pytestmark = pytest.mark.skipif(not AWS.exists(), reason="the AWS CLI (awscli) is not installed")


def aws(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AWS), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assume(
    env: dict[str, str], role_arn: str, external_id: str | None
) -> subprocess.CompletedProcess[str]:
    args = [
        "sts",
        "assume-role",
        "--role-arn",
        role_arn,
        "--role-session-name",
        "alice",
        "--output",
        "json",
    ]
    if external_id is not None:
        args += ["--external-id", external_id]
    return aws(env, *args)


def as_env(
    sandbox: Sandbox, completed: subprocess.CompletedProcess[str], **extra: str
) -> dict[str, str]:
    assert completed.returncode == 0, completed.stderr
    credentials = json.loads(completed.stdout)["Credentials"]
    return sandbox.env(
        AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
        AWS_SESSION_TOKEN=credentials["SessionToken"],
        **extra,
    )


def hop2_env(sandbox: Sandbox, **extra: str) -> dict[str, str]:
    scenario = sandbox.scenario
    hop1 = as_env(sandbox, assume(sandbox.env(), scenario.partner_role_arn, None))
    return as_env(sandbox, assume(hop1, scenario.host_role_arn, scenario.external_id), **extra)


def test_both_hops_succeed_with_the_right_external_id(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    env = hop2_env(aws_sandbox)
    who = aws(env, "sts", "get-caller-identity", "--output", "json")
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["Arn"] == (
        f"arn:aws:sts::{scenario.host_account}:assumed-role/"
        "SSMStartSession_IAM_Role_ThirdPartyA/alice"
    )


@pytest.mark.parametrize("external_id", ["WrongExternalId", None])
def test_hop_2_is_denied_with_a_wrong_or_missing_external_id(
    aws_sandbox: Sandbox, external_id: str | None
) -> None:
    scenario = aws_sandbox.scenario
    hop1 = as_env(aws_sandbox, assume(aws_sandbox.env(), scenario.partner_role_arn, None))
    denied = assume(hop1, scenario.host_role_arn, external_id)
    assert denied.returncode != 0
    assert (
        "An error occurred (AccessDenied) when calling the AssumeRole operation: "
        f"User: arn:aws:sts::{scenario.partner_account}:assumed-role/3P_IAM_Assume_Role/alice "
        f"is not authorized to perform: sts:AssumeRole on resource: {scenario.host_role_arn}"
    ) in denied.stderr


def test_hop_1_is_denied_for_the_mfa_role_without_mfa(aws_sandbox: Sandbox) -> None:
    denied = assume(aws_sandbox.env(), aws_sandbox.scenario.partner_mfa_role_arn, None)
    assert denied.returncode != 0
    assert "(AccessDenied)" in denied.stderr


def test_describe_instances_table_lists_exactly_the_a_instances(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    env = hop2_env(aws_sandbox)
    table = aws(
        env,
        "ec2",
        "describe-instances",
        "--filters",
        f"Name=tag-value,Values={scenario.tag_value_a}",
        "--output",
        "table",
    )
    assert table.returncode == 0, table.stderr
    listed = set(re.findall(r"\|\s+InstanceId\s+\|\s+(i-[0-9a-f]+)\s+\|", table.stdout))
    assert listed == set(scenario.instances_a)
    assert "stopped" in table.stdout


def test_partner_keys_get_unauthorized_operation(aws_sandbox: Sandbox) -> None:
    denied = aws(aws_sandbox.env(), "ec2", "describe-instances", "--output", "json")
    assert denied.returncode != 0
    assert "(UnauthorizedOperation)" in denied.stderr


def test_start_session_launches_the_plugin_with_a_valid_response(
    aws_sandbox: Sandbox, tmp_path: Path
) -> None:
    scenario = aws_sandbox.scenario
    record = tmp_path / "plugin-calls.jsonl"
    bin_dir = tmp_path / "bin"
    install_stand_in(bin_dir, record_to=record)
    env = hop2_env(aws_sandbox, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    target = scenario.instances_a[0]
    run = aws(env, "ssm", "start-session", "--target", target, stdin="whoami\nexit\n")
    assert run.returncode == 0, run.stderr
    assert "Cannot perform start session" not in run.stdout
    assert f"sandbox session on {target} as {scenario.run_as_a}; no real instance" in run.stdout
    assert f"$ {scenario.run_as_a}\n" in run.stdout  # the answer to `whoami`
    calls = read_records(record)
    assert next(c["argv"][1:] for c in calls) == ["--version"]
    argv = calls[1]["argv"]
    assert argv[1:5] == ["AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", ""]
    assert json.loads(argv[5]) == {"Target": target}
    assert argv[6] == aws_sandbox.endpoint_url
    payload = calls[1]["payload"]
    assert set(payload) == {"SessionId", "TokenValue", "StreamUrl"}
    assert payload["SessionId"].startswith("alice-")
    assert calls[1]["env"]["AWS_SECRET_ACCESS_KEY"] == secret_digest(env["AWS_SECRET_ACCESS_KEY"])
    assert record.stat().st_mode & 0o777 == 0o600
    # The shell's exit ended the session on the instance's side: no TerminateSession (the
    # real plugin sends none), and the session is no longer active.
    assert aws_sandbox.count("TerminateSession") == 0
    assert not any(r.action == "DescribeSessions" for r in aws_sandbox.requests())
    ended = aws(admin_env(aws_sandbox), "ssm", "describe-sessions", "--state", "Active")
    assert ended.returncode == 0, ended.stderr
    assert json.loads(ended.stdout)["Sessions"] == []


def admin_env(sandbox: Sandbox) -> dict[str, str]:
    scenario = sandbox.scenario
    return sandbox.env(
        AWS_ACCESS_KEY_ID=scenario.host_admin_access_key_id,
        AWS_SECRET_ACCESS_KEY=scenario.host_admin_secret_access_key,
    )


def test_start_session_on_a_b_instance_fails_with_access_denied(
    aws_sandbox: Sandbox, tmp_path: Path
) -> None:
    scenario = aws_sandbox.scenario
    record = tmp_path / "plugin-calls.jsonl"
    install_stand_in(tmp_path / "bin", record_to=record)
    env = hop2_env(aws_sandbox, PATH=f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    run = aws(env, "ssm", "start-session", "--target", scenario.instances_b[0])
    assert run.returncode != 0
    assert (
        "An error occurred (AccessDeniedException) when calling the StartSession operation"
        in run.stderr
    )
    assert all(c["argv"][1:] == ["--version"] for c in read_records(record))


def test_the_printed_chain_profiles_carry_the_aws_cli_through_both_hops(
    aws_sandbox: Sandbox, tmp_path: Path
) -> None:
    """`ssmclient sandbox` prints an AWS config with alice -> hop1 -> hop2 (external_id);
    `aws --profile hop2` then lists, starts a session (the plugin gets the profile name in
    argv[4] and chains the roles itself) and is denied party B's instance."""
    scenario = aws_sandbox.scenario
    record = tmp_path / "plugin-calls.jsonl"
    install_stand_in(tmp_path / "bin", record_to=record)
    chain = write_chain_config(scenario, aws_sandbox.endpoint_url, tmp_path)
    env = {
        k: v
        for k, v in aws_sandbox.env(AWS_CONFIG_FILE=str(chain)).items()
        if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL")
    }
    env["PATH"] = f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    listed = aws(
        env,
        *("--profile", "hop2", "ec2", "describe-instances", "--output", "json"),
        *("--filters", f"Name=tag:{scenario.tag_key},Values={scenario.tag_value_a}"),
    )
    assert listed.returncode == 0, listed.stderr
    ids = [
        i["InstanceId"] for r in json.loads(listed.stdout)["Reservations"] for i in r["Instances"]
    ]
    assert sorted(ids) == sorted(scenario.instances_a)

    target = scenario.instances_a[0]
    run = aws(env, "--profile", "hop2", "ssm", "start-session", "--target", target, stdin="exit\n")
    assert run.returncode == 0, run.stderr
    assert f"sandbox session on {target}" in run.stdout
    (call,) = [c for c in read_records(record) if c["argv"][1:] != ["--version"]]
    assert call["argv"][4] == "hop2"

    denied = aws(
        env, "--profile", "hop2", "ssm", "start-session", "--target", scenario.instances_b[0]
    )
    assert denied.returncode != 0
    assert "(AccessDeniedException) when calling the StartSession operation" in denied.stderr
