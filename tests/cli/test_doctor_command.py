"""`ssmclient doctor`: every step reported on its own, in order, with hints; exit 1 on failure."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ssmclient.sandbox.client import Sandbox

from aws_fixtures import deny_to_host_role

Run = Callable[..., tuple[int, str, str]]

ORDER = ["source credentials", "hop 1", "hop 2", "listing", "ping status", "session-manager-plugin"]


def test_all_checks_pass(cli_alice: Sandbox, imported: str, run: Run, plugin_record: Path) -> None:
    scenario = cli_alice.scenario
    status, out, err = run("doctor", "--profile", imported, "--json")
    assert status == 0, err
    checks = json.loads(out)
    assert [c["check"] for c in checks] == ORDER
    assert all(c["ok"] for c in checks)
    assert all(set(c) == {"check", "ok", "detail"} for c in checks)
    by_name = {c["check"]: c["detail"] for c in checks}
    assert scenario.alice_user_arn in by_name["source credentials"]
    assert "assumed-role/SSMStartSession_IAM_Role_ThirdPartyA" in by_name["hop 2"]
    assert "expires" in by_name["hop 2"]
    assert by_name["listing"].startswith(f"{len(scenario.instances_a)} instance(s)")
    assert by_name["session-manager-plugin"].startswith("1.2.764.0 at ")
    assert scenario.external_id not in out


def test_missing_plugin_fails_its_check_with_the_install_link(
    cli_alice: Sandbox, imported: str, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSMCLIENT_PLUGIN", str(tmp_path / "no-plugin"))
    status, out, _ = run("doctor", "--profile", imported, "--json")
    assert status == 1
    plugin = json.loads(out)[-1]
    assert plugin["check"] == "session-manager-plugin"
    assert not plugin["ok"]
    assert "docs.aws.amazon.com" in plugin["detail"]


def test_wrong_external_id_fails_at_hop2_with_a_hint(
    cli_alice: Sandbox, run: Run, variant: Callable[..., str]
) -> None:
    name = variant(external_id="NotTheRightOne-42")
    status, out, _ = run("doctor", "--profile", name, "--json")
    assert status == 1
    checks = {c["check"]: c for c in json.loads(out)}
    assert checks["source credentials"]["ok"]
    assert checks["hop 1"]["ok"]
    assert not checks["hop 2"]["ok"]
    assert "AccessDenied" in checks["hop 2"]["detail"]
    assert "ask the host: cloud-ops@sandbox.invalid" in checks["hop 2"]["detail"]
    assert not checks["listing"]["ok"]
    assert "not run" in checks["listing"]["detail"]
    assert "NotTheRightOne-42" not in out


def test_ping_denied_is_reported_but_not_a_failure(
    cli_alice: Sandbox,
    imported: str,
    run: Run,
    plugin_record: Path,
) -> None:
    deny_to_host_role(cli_alice, "ssm:DescribeInstanceInformation")
    status, out, _ = run("doctor", "--profile", imported)
    assert status == 0
    line = next(line for line in out.splitlines() if "ping status" in line)
    assert "not readable" in line


def test_no_credentials_fails_the_source_check(
    cli_alice: Sandbox, imported: str, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    status, out, _ = run("doctor", "--profile", imported, "--json")
    assert status == 1
    checks = json.loads(out)
    assert checks[0]["check"] == "source credentials"
    assert not checks[0]["ok"]
    assert "set-source" in checks[0]["detail"]


def test_expired_profile(cli_alice: Sandbox, run: Run, variant: Callable[..., str]) -> None:
    name = variant(expires="2020-01-01T00:00:00Z")
    status, out, _ = run("doctor", "--profile", name, "--json")
    assert status == 1
    (check,) = json.loads(out)
    assert check["check"] == "profile"
    assert "expired" in check["detail"]


def test_missing_aws_profile_is_a_failed_source_check(
    cli_alice: Sandbox, imported: str, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "aws-config"
    config.write_text("[profile partner]\nregion = us-east-1\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert run("profile", "set-source", imported, "--aws-profile", "partner")[0] == 0
    config.write_text("", encoding="utf-8")  # the partner removed it since
    status, out, _ = run("doctor", "--profile", imported, "--json")
    assert status == 1
    checks = json.loads(out)
    assert [c["check"] for c in checks] == ORDER
    assert not checks[0]["ok"]
    assert "'partner' does not exist" in checks[0]["detail"]
    assert checks[1]["detail"].startswith("not run")
