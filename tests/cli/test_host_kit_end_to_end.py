"""The host kit from nothing to a partner's session, in the sandbox: the templates deployed,
the file issued with `ssmclient host issue`, imported by the partner, exactly that party's
instances listed, a session through the recording plugin, and the other party's denied."""

import json
from pathlib import Path

import pytest

from cli_support import run
from host_kit_support import deploy, keys_of
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import read_records

PARTY = "Example Corp (Third_Party_C)"


def act_as(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, who: str) -> None:
    keys = keys_of(sandbox, who)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", keys["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", keys["SecretAccessKey"])


@pytest.mark.filterwarnings("ignore:Tried to parse AWS.+IAM.+Group")
def test_from_templates_to_a_partners_session(
    alice: Sandbox,
    plugin_record: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = alice.scenario
    role_arn = f"arn:aws:iam::{scenario.host_account}:role/SSMStartSession_IAM_Role_ThirdPartyC"
    partner_role = f"arn:aws:iam::{scenario.partner_account}:role/3P_IAM_Assume_Role_C"
    host = deploy(
        alice,
        "host",
        "host-account.yaml",
        FirstPartyTagValue="Third_Party_C",
        SecondPartyTagValue="Third_Party_D",
    )

    # The host issues the file; what it prints is what the party role's stack gets.
    act_as(monkeypatch, alice, "host-admin")
    issued = tmp_path / "third-party-c.ssmprofile"
    status, out, err = run(
        capsys,
        *("host", "issue", "--party", PARTY, "--role-arn", role_arn),
        *("--region", scenario.region, "--tag-value", "Third_Party_C"),
        *("--source-role-arn", partner_role, "--host-name", "Example Corp"),
        *("--contact", "cloud-ops@example.com", "-o", str(issued)),
    )
    assert status == 0, err
    parameters = dict(
        line.strip().split("=", 1) for line in out.splitlines() if line.startswith("  ")
    )
    deploy(
        alice,
        "partner",
        "partner-account.yaml",
        "partner-admin",
        RoleName="3P_IAM_Assume_Role_C",
        HostAccountId=scenario.host_account,
        HostRoleName="SSMStartSession_IAM_Role_ThirdPartyC",
        RequireMfa="false",
    )
    outputs = deploy(alice, "party-c", "host-party-role.yaml", **parameters)
    assert outputs["RoleArn"] == role_arn
    status, out, err = run(capsys, "host", "audit", "--role-arn", role_arn)
    assert status == 0, out + err

    # The partner engineer: import, list, connect.
    act_as(monkeypatch, alice, "alice")
    status, out, err = run(capsys, "profile", "import", str(issued))
    assert status == 0, err
    status, out, err = run(capsys, "instances", "--profile", PARTY, "--json")
    assert status == 0, err
    listed = json.loads(out)
    assert [i["instance_id"] for i in listed] == [host["FirstPartyInstanceId"]]
    assert listed[0]["tag_value"] == "Third_Party_C"
    assert listed[0]["name"] == "Third_Party_C-app"

    target = host["FirstPartyInstanceId"]
    status, _, err = run(capsys, "connect", "--profile", PARTY, target, "--terminal", "inline")
    assert status == 0, err
    (session,) = [r for r in read_records(plugin_record) if r["argv"][1:] != ["--version"]]  # type: ignore[index]
    assert json.loads(session["argv"][5]) == {"Target": target}  # type: ignore[index]
    started = alice.requests("StartSession")
    assert [r.status for r in started] == [200]
    assert ":assumed-role/SSMStartSession_IAM_Role_ThirdPartyC/" in str(started[0].caller)

    for other in (host["SecondPartyInstanceId"], scenario.instances_a[0]):
        status, out, err = run(capsys, "connect", "--profile", PARTY, other, "--terminal", "inline")
        assert status == 1
        assert "AccessDeniedException" in err
        assert f"instance/{other}" in err
