"""Real Session Manager clients from PyPI against the sandbox, through the two-hop chain.

Each client is installed into its own cached venv (`~/.cache/ssmclient-tests/peers`,
or under XDG_CACHE_HOME) and run as a user would run it, with the AWS config
profiles `ssmclient sandbox` prints (alice -> hop1 -> hop2 with external_id) and
the stand-in plugin on PATH. Each must list what it would list on AWS, start a
session on an A instance (the stand-in accepting how it calls the plugin), and be
denied a B instance with AWS's message. The AWS CLI is the dev install's own.

Facts of the clients, read from their sources: aws-gate's pinned botocore
predates endpoint settings (its boto3 is upgraded here); ssm-connect runs
`aws ssm start-session` and opens a terminal window when it finds one (PATH holds
none here); aws-ssm-juggle defaults to eu-central-1, lists only in a menu (its
listing function is called directly) and passes no endpoint to the plugin.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.peer_clients import chain_environment, peer_venv
from ssmclient.sandbox.session_program import install_stand_in, read_records

pytestmark = pytest.mark.slow

AWS = Path(sys.executable).with_name("aws")
DENIED = "(AccessDeniedException) when calling the StartSession operation"


@pytest.fixture
def chain_env(aws_sandbox: Sandbox, tmp_path: Path) -> dict[str, Any]:
    """A user's shell with the chain as AWS config profiles, AWS_PROFILE=hop2, and the
    recording stand-in plugin first on PATH; no keys in the environment."""
    record = tmp_path / "plugin.jsonl"
    plugin_dir = install_stand_in(tmp_path / "bin", record_to=record).parent
    env = chain_environment(aws_sandbox.scenario, aws_sandbox.endpoint_url, plugin_dir, tmp_path)
    home = Path(env["HOME"])
    return {"env": env, "record": record, "home": home}


def run(
    argv: list[str], env: dict[str, str], stdin: str = "exit\n"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, env=env, input=stdin, capture_output=True, text=True, timeout=180, check=False
    )


def sessions(record: Path) -> list[dict[str, Any]]:
    return [r for r in read_records(record) if r["argv"][1:] != ["--version"]]


def running(sandbox: Sandbox) -> set[str]:
    scenario = sandbox.scenario
    everything = scenario.instances_a + scenario.instances_b + scenario.instances_untagged
    return set(everything) - {scenario.instance_a_stopped}


def assert_a_session_and_b_denied(
    sandbox: Sandbox,
    record: Path,
    started: subprocess.CompletedProcess[str],
    denied: subprocess.CompletedProcess[str],
) -> dict[str, Any]:
    target = sandbox.scenario.instances_a[0]
    assert "Cannot perform start session" not in started.stdout, started.stdout
    assert f"sandbox session on {target}" in started.stdout, started.stdout + started.stderr
    (call,) = sessions(record)  # the B attempt never reached the plugin
    assert DENIED in denied.stdout + denied.stderr
    assert f"instance/{sandbox.scenario.instances_b[0]}" in denied.stdout + denied.stderr
    return call


@pytest.mark.skipif(not AWS.exists(), reason="the AWS CLI (awscli) is not installed")
def test_the_aws_cli(aws_sandbox: Sandbox, chain_env: dict[str, Any]) -> None:
    env, scenario = chain_env["env"], aws_sandbox.scenario
    listed = run([str(AWS), "ec2", "describe-instances", "--output", "json"], env)
    assert listed.returncode == 0, listed.stderr
    ids = {
        i["InstanceId"] for r in json.loads(listed.stdout)["Reservations"] for i in r["Instances"]
    }
    # Describe* cannot be scoped by tag: the host role sees the account's instances.
    assert ids == running(aws_sandbox) | {scenario.instance_a_stopped}
    started = run([str(AWS), "ssm", "start-session", "--target", scenario.instances_a[0]], env)
    denied = run([str(AWS), "ssm", "start-session", "--target", scenario.instances_b[0]], env)
    call = assert_a_session_and_b_denied(aws_sandbox, chain_env["record"], started, denied)
    # AWS_PROFILE picks the profile: the CLI passes no --profile on, the plugin
    # inherits AWS_PROFILE and resolves the chain itself.
    assert (call["response_in"], call["argv"][4]) == ("env", "")
    assert call["env"]["AWS_PROFILE"] == "hop2"


def test_aws_gate(aws_sandbox: Sandbox, chain_env: dict[str, Any]) -> None:
    gate = str(peer_venv("aws-gate") / "bin" / "aws-gate")
    env, scenario = chain_env["env"], aws_sandbox.scenario
    listed = run([gate, "list", "--format", "json"], env)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    # aws-gate lists the managed instances whose agent is online.
    assert {row["instance_id"] for row in rows} == running(aws_sandbox)
    started = run([gate, "session", scenario.instances_a[0]], env)
    denied = run([gate, "session", scenario.instances_b[0]], env)
    call = assert_a_session_and_b_denied(aws_sandbox, chain_env["record"], started, denied)
    assert call["response_in"] == "argv"  # the legacy form: the response itself in argv[1]


def test_ssm_connect(aws_sandbox: Sandbox, chain_env: dict[str, Any]) -> None:
    venv = peer_venv("ssm-connect")
    env, scenario = chain_env["env"], aws_sandbox.scenario
    favorites = {
        "a": {"type": "ec2", "connection_type": "ssm", "instance_id": scenario.instances_a[0]},
        "b": {"type": "ec2", "connection_type": "ssm", "instance_id": scenario.instances_b[0]},
    }
    (chain_env["home"] / ".ssm-connect").mkdir()
    (chain_env["home"] / ".ssm-connect" / "config.json").write_text(
        json.dumps({"favorites": favorites})
    )
    code = (
        "import json; from ssm_connect import inventory as i; "
        "s = i.make_boto3_session(); ec2 = s.client('ec2'); "
        "pages = ec2.get_paginator('describe_instances').paginate("
        "Filters=[{'Name': 'instance-state-name', 'Values': ['running']}]); "
        "print(json.dumps([x['InstanceId'] for p in pages for r in p['Reservations'] "
        "for x in r['Instances']]))"
    )
    listed = run([str(venv / "bin" / "python"), "-c", code], env)
    assert listed.returncode == 0, listed.stderr
    assert set(json.loads(listed.stdout)) == running(aws_sandbox)
    connect = str(venv / "bin" / "ssm-connect")
    started = run([connect, "-f", "a"], env, stdin="whoami\nexit\n")
    denied = run([connect, "-f", "b"], env)
    call = assert_a_session_and_b_denied(aws_sandbox, chain_env["record"], started, denied)
    # It hands the AWS CLI the hop-2 keys in the environment: an empty profile.
    assert (call["response_in"], call["argv"][4]) == ("env", "")


def test_aws_ssm_juggle(aws_sandbox: Sandbox, chain_env: dict[str, Any]) -> None:
    venv = peer_venv("aws-ssm-juggle")
    env, scenario = chain_env["env"], aws_sandbox.scenario
    code = (
        "import json, boto3; import aws_ssm_juggle.ec2 as e; "
        "e.show_menu = lambda items, **kw: (print(json.dumps(items)), ('i-0 - x', None))[1]; "
        "e.get_instance_id(boto3.session.Session(region_name='us-east-1'), '')"
    )
    listed = run([str(venv / "bin" / "python"), "-c", code], env)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout.splitlines()[-1])
    assert {row.split(" - ")[0] for row in rows} == running(aws_sandbox)
    juggle = [str(venv / "bin" / "ec2-juggle"), "--region", scenario.region]
    started = run([*juggle, "--instance-id", scenario.instances_a[0], "start"], env)
    denied = run([*juggle, "--instance-id", scenario.instances_b[0], "start"], env)
    call = assert_a_session_and_b_denied(aws_sandbox, chain_env["record"], started, denied)
    assert call["response_in"] == "argv"
    assert len(call["argv"]) == 6  # no endpoint: the plugin would use AWS's own
