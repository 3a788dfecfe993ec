"""`ssmclient host issue|rotate|audit`: what a host runs, with good and bad input."""

import io
import json
import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from cli_support import run
from host_kit_support import deploy_party_stack
from ssmclient.sandbox.client import Sandbox

ROLE = "arn:aws:iam::111122223333:role/SSMStartSession_IAM_Role_ThirdPartyC"
PARTNER = "arn:aws:iam::444455556666:role/3P_IAM_Assume_Role"
ISSUE = (
    "host",
    "issue",
    "--party",
    "Example Corp (Third_Party_C)",
    "--role-arn",
    ROLE,
    "--region",
    "eu-west-1",
    "--tag-value",
    "Third_Party_C",
    "--source-role-arn",
    PARTNER,
    "--contact",
    "cloud-ops@example.com",
)


def printed(out: str) -> dict[str, str]:
    """The `  Key=Value` parameter lines."""
    pairs = (line.strip().split("=", 1) for line in out.splitlines() if line.startswith("  "))
    return dict(pairs)  # type: ignore[arg-type]


def test_issue_writes_a_file_profile_import_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.ssmprofile"
    status, out, err = run(capsys, *ISSUE, "--expires", "30d", "-o", str(path))
    assert status == 0, err
    document = json.loads(path.read_text(encoding="utf-8"))
    external_id = document["external_id"]
    assert uuid.UUID(external_id).version == 4
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"External ID: {external_id} (new and random" in out
    assert printed(out) == {
        "PartyName": "ThirdPartyC",
        "TagValue": "Third_Party_C",
        "PartnerAccountId": "444455556666",
        "PartnerRoleName": "3P_IAM_Assume_Role",
        "ExternalId": external_id,
        "AllowSourceIdentity": "false",
    }
    expires = datetime.fromisoformat(document["expires"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)

    status, out, err = run(capsys, "profile", "import", str(path))
    assert status == 0, err
    assert "Imported profile 'Example Corp (Third_Party_C)'" in out
    status, out, _ = run(capsys, "profile", "show", "Example Corp (Third_Party_C)", "--json")
    shown = json.loads(out)
    assert shown["role_arn"] == ROLE
    assert shown["host"]["contact"] == "cloud-ops@example.com"
    assert external_id not in out


def test_issue_takes_the_external_id_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Given-External-Id-1\n"))
    path = tmp_path / "c.ssmprofile"
    status, out, err = run(capsys, *ISSUE, "--external-id", "-", "-o", str(path))
    assert status == 0, err
    assert json.loads(path.read_text(encoding="utf-8"))["external_id"] == "Given-External-Id-1"
    assert "(as given;" in out


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("--role-arn", "arn:aws:iam::111122223333:user/x"), "--role-arn: "),
        (("--region", "mars-1"), "--region: "),
        (("--source-role-arn", "arn:aws:iam::111122223333:role/Own"), "--source-role-arn: "),
        (("--tag-key", "aws:no"), "--tag-key: "),
        (("--expires", "soon"), "--expires: "),
        (("--external-id", "has space"), "--external-id: "),
    ],
)
def test_issue_names_the_flag_that_is_wrong(
    change: tuple[str, str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.ssmprofile"
    status, out, err = run(capsys, *ISSUE, *change, "-o", str(path))
    assert status == 2
    assert out == ""
    assert err.startswith(f"ssmclient: {words}")
    assert len(err.splitlines()) == 1
    assert not path.exists()


def test_issue_without_the_partys_facts_or_a_proper_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(
        capsys, "host", "issue", "--party", "X", "-o", str(tmp_path / "x.ssmprofile")
    )
    assert status == 2
    assert "--role-arn, --region, --tag-value are required (or --from-stack STACK)" in err
    status, _, err = run(capsys, *ISSUE, "-o", str(tmp_path / "x.json"))
    assert status == 2
    assert "-o: name the file *.ssmprofile" in err
    status, _, err = run(capsys, *ISSUE, "-o", str(tmp_path / "no-such-dir" / "x.ssmprofile"))
    assert status == 2
    assert "does not exist" in err
    assert not (tmp_path / "no-such-dir").exists()
    status, _, err = run(
        capsys, "host", "issue", "--from-stack", "s", "--role-arn", ROLE, "-o", "x.ssmprofile"
    )
    assert status == 2
    assert "--from-stack: the stack says --role-arn; leave it out" in err


def test_rotate_changes_only_the_external_id_and_says_what_to_deploy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_path, new_path = tmp_path / "old.ssmprofile", tmp_path / "new.ssmprofile"
    assert run(capsys, *ISSUE, "-o", str(old_path))[0] == 0
    status, out, err = run(capsys, "host", "rotate", str(old_path), "-o", str(new_path))
    assert status == 0, err
    old = json.loads(old_path.read_text(encoding="utf-8"))
    new = json.loads(new_path.read_text(encoding="utf-8"))
    new_id = new.pop("external_id")
    assert old.pop("external_id") != new_id
    assert old == new
    assert f"New External ID: {new_id}" in out
    both = json.dumps([json.loads(old_path.read_text(encoding="utf-8"))["external_id"], new_id])
    assert f'"sts:ExternalId": {both}' in out
    assert f"ExternalId={new_id}" in out


def test_rotate_a_bad_file_says_what_is_wrong_for_the_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.ssmprofile"
    bad.write_text('{"format": "ssmclient-profile"}', encoding="utf-8")
    status, _, err = run(capsys, "host", "rotate", str(bad), "-o", str(tmp_path / "n.ssmprofile"))
    assert status == 2
    assert "version: is missing" in err
    assert "ask your host" not in err


# -- against the sandbox, with the host's own credentials -------------------------------


@pytest.fixture
def host_env(
    aws_sandbox: Sandbox, no_aws_settings: None, monkeypatch: pytest.MonkeyPatch
) -> Sandbox:
    """This process as the host's administrator (its keys through the default chain)."""
    scenario = aws_sandbox.scenario
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_sandbox.endpoint_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", scenario.region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", scenario.host_admin_access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", scenario.host_admin_secret_access_key)
    monkeypatch.setenv("SSMCLIENT_AWS_MAX_ATTEMPTS", "1")
    return aws_sandbox


def host_iam(sandbox: Sandbox) -> Any:
    return boto3.client("iam", region_name=sandbox.scenario.region)


def test_audit_passes_the_seeded_role(
    host_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "host", "audit", "--role-arn", host_env.scenario.host_role_arn)
    assert status == 0, out + err
    lines = out.splitlines()
    assert all(line.startswith("ok    ") for line in lines[:-1])
    assert lines[-1] == f"11 of 11 checks hold for {host_env.scenario.host_role_arn}"
    assert host_env.scenario.external_id not in out


def test_audit_fails_a_loosened_role_point_by_point(
    host_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = host_env.scenario
    name = scenario.host_role_arn.rsplit("/", 1)[-1]
    iam = host_iam(host_env)
    loose = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ssm:*", "Resource": "*"}],
    }
    iam.put_role_policy(RoleName=name, PolicyName="Loose", PolicyDocument=json.dumps(loose))
    trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    del trust["Statement"][0]["Condition"]
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
    iam.untag_role(RoleName=name, TagKeys=["SSMSessionRunAs"])

    status, out, _ = run(capsys, "host", "audit", "--role-arn", scenario.host_role_arn, "--json")
    assert status == 1
    checks = {check["check"]: check for check in json.loads(out)}
    failed = {name for name, check in checks.items() if not check["ok"]}
    assert failed == {
        "External ID required",
        "the role is tagged SSMSessionRunAs",
        "StartSession only on the party's instances",
        "StartSession only with the allowed documents",
        "Terminate/ResumeSession only on own sessions",
        "nothing beyond Session Manager and the listing",
    }
    assert all(checks[name]["fix"] for name in failed)
    # The explicit deny still holds against ssm:* for onward roles.
    assert checks["no sts:AssumeRole onward"]["ok"]


def test_audit_of_a_role_that_does_not_exist_is_one_line(
    host_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    role = "arn:aws:iam::111122223333:role/NoSuchRole"
    status, out, err = run(capsys, "host", "audit", "--role-arn", role)
    assert status == 1
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "NoSuchEntity" in err
    assert "check the role ARN" in err


def test_audit_with_another_accounts_credentials(
    host_env: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = host_env.scenario
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", scenario.alice_access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", scenario.alice_secret_access_key)
    status, _, err = run(capsys, "host", "audit", "--role-arn", scenario.host_role_arn)
    assert status == 1
    assert len(err.splitlines()) == 1
    assert "these are the host account's credentials" in err


def test_issue_from_a_stack_reads_the_external_id_from_the_trust_policy(
    host_env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_party_stack(
        host_env, "party-c", external_id="Stack-External-Id", tag_value="Third_Party_C"
    )
    path = tmp_path / "c.ssmprofile"
    status, out, err = run(capsys, "host", "issue", "--from-stack", "party-c", "-o", str(path))
    assert status == 0, err
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["external_id"] == "Stack-External-Id"
    assert document["role_arn"] == ROLE
    assert document["instance_tag"] == {"key": "ExternalAccessGrantedTo", "value": "Third_Party_C"}
    assert document["source_role_arn"] == PARTNER
    assert "nothing needs deploying" in out

    monkeypatched = tmp_path / "d.ssmprofile"
    status, _, err = run(
        capsys,
        "host",
        "issue",
        "--from-stack",
        "party-c",
        "--external-id",
        "Other-Id",
        "-o",
        str(monkeypatched),
    )
    assert status == 2
    assert "does not accept it" in err
    status, _, err = run(capsys, "host", "issue", "--from-stack", "no-such-stack", "-o", str(path))
    assert status == 1
    assert len(err.splitlines()) == 1
    assert "no-such-stack" in err
