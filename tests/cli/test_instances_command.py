"""`ssmclient instances` in-process against the sandbox: JSON and table output, exit codes."""

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cli_support import one_error_line
from ssmclient.core.paths import config_dir
from ssmclient.core.profile_store import ProfileStore
from ssmclient.core.secret_store import external_id_key
from ssmclient.sandbox.client import Sandbox

from keyring_support import MemoryKeyring

Run = Callable[..., tuple[int, str, str]]


FIELDS = {
    "instance_id",
    "name",
    "state",
    "ping_status",
    "private_ip",
    "public_ip",
    "platform",
    "region",
    "availability_zone",
    "launch_time",
    "tag_value",
}


def test_json_lists_the_tagged_instances(cli_alice: Sandbox, imported: str, run: Run) -> None:
    scenario = cli_alice.scenario
    status, out, err = run("instances", "--profile", imported, "--json")
    assert status == 0, err
    document = json.loads(out)
    assert {row["instance_id"] for row in document} == set(scenario.instances_a)
    assert all(set(row) >= FIELDS for row in document)
    by_id = {row["instance_id"]: row for row in document}
    assert all(by_id[i]["name"] is None for i in scenario.instances_a_unnamed)
    assert by_id[scenario.instance_a_stopped]["state"] == "stopped"
    assert {row["tag_value"] for row in document} == {scenario.tag_value_a}
    assert scenario.external_id not in out + err
    assert cli_alice.count("AssumeRole") == 2


def test_table_output_and_two_regions(cli_alice: Sandbox, imported: str, run: Run) -> None:
    scenario = cli_alice.scenario
    status, out, _ = run(
        "instances", "--profile", imported, "--region", scenario.region,
        "--region", scenario.second_region,
    )  # fmt: skip
    assert status == 0
    header, *rows = out.splitlines()
    assert header.split()[:3] == ["INSTANCE", "NAME", "STATE"]
    ids = [row.split()[0] for row in rows]
    assert set(ids) == set(scenario.instances_a) | set(scenario.instances_a_second_region)
    assert rows[-1].rstrip().endswith(scenario.second_region)


def test_bad_region_is_an_input_error(cli_alice: Sandbox, imported: str, run: Run) -> None:
    status, _, err = run("instances", "--profile", imported, "--region", "moon-1")
    assert status == 2
    assert one_error_line(err).startswith("ssmclient: --region moon-1:")


def test_unknown_profile(cli_alice: Sandbox, run: Run) -> None:
    status, _, err = run("instances", "--profile", "nope", "--json")
    assert status == 2
    assert "no such profile" in one_error_line(err)


def test_wrong_external_id_is_one_line_naming_hop2(
    cli_alice: Sandbox, run: Run, variant: Callable[..., str]
) -> None:
    name = variant(external_id="NotTheRightOne-42")
    status, out, err = run("instances", "--profile", name, "--json")
    assert status == 1
    assert out == ""
    line = one_error_line(err)
    assert line.startswith(f"ssmclient: hop 2 ({cli_alice.scenario.host_role_arn}): AccessDenied")
    assert "ask the host: cloud-ops@sandbox.invalid" in line
    assert "NotTheRightOne-42" not in line


def test_an_external_id_sts_quotes_back_is_masked(
    cli_alice: Sandbox, imported: str, run: Run, memory_keyring: MemoryKeyring
) -> None:
    # A keyring entry changed behind ssmclient's back (the file's parser would
    # refuse it): STS answers, as AWS does, with a ValidationError quoting it.
    record = ProfileStore(config_dir()).get(imported)
    bad = "Secret External 42"
    memory_keyring.entries[("ssmclient", external_id_key(record.id))] = bad
    status, _, err = run("instances", "--profile", imported, "--json")
    assert status == 1
    line = one_error_line(err)
    assert line.startswith(
        f"ssmclient: hop 2 ({cli_alice.scenario.host_role_arn}): ValidationError"
    )
    assert "Value '***' at 'externalId'" in line  # echoed, and masked
    assert bad not in line


def test_expired_profile_refuses_to_list(
    cli_alice: Sandbox, run: Run, variant: Callable[..., str]
) -> None:
    name = variant(expires="2020-01-01T00:00:00Z")
    status, _, err = run("instances", "--profile", name)
    assert status == 1
    assert "expired on 2020-01-01" in one_error_line(err)
    assert cli_alice.count("AssumeRole") == 0


@pytest.fixture
def mfa_profile(cli_alice: Sandbox, imported: str, run: Run) -> str:
    scenario = cli_alice.scenario
    status, _, err = run(
        "profile", "set-source", imported, "--source-role-arn", scenario.partner_mfa_role_arn,
        "--mfa-serial", scenario.mfa_serial,
    )  # fmt: skip
    assert status == 0, err
    return imported


def test_mfa_code_from_the_environment(
    cli_alice: Sandbox, mfa_profile: str, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSMCLIENT_MFA_CODE", cli_alice.scenario.mfa_code)
    status, out, err = run("instances", "--profile", mfa_profile, "--json")
    assert status == 0, err
    assert len(json.loads(out)) == len(cli_alice.scenario.instances_a)


def test_mfa_code_from_the_terminal(
    cli_alice: Sandbox, mfa_profile: str, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = io.StringIO("")
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", terminal)
    prompts: list[str] = []

    def no_echo_prompt(prompt: str) -> str:
        prompts.append(prompt)
        return cli_alice.scenario.mfa_code

    # The code is read without echo (getpass), never with a plain readline.
    monkeypatch.setattr("getpass.getpass", no_echo_prompt)
    status, _, err = run("instances", "--profile", mfa_profile, "--json")
    assert status == 0, err
    assert prompts == [f"MFA code for {cli_alice.scenario.mfa_serial}: "]


@pytest.mark.parametrize("code", [None, "12345", "12a456"])
def test_missing_or_malformed_mfa_code(
    cli_alice: Sandbox,
    mfa_profile: str,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    code: str | None,
) -> None:
    if code is not None:
        monkeypatch.setenv("SSMCLIENT_MFA_CODE", code)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    status, _, err = run("instances", "--profile", mfa_profile)
    assert status == 2
    assert one_error_line(err).startswith("ssmclient: MFA code:")
    assert cli_alice.count("AssumeRole") == 0


def test_network_down_is_one_line(
    cli_alice: Sandbox, imported: str, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("SSMCLIENT_AWS_MAX_ATTEMPTS", "1")
    status, _, err = run("instances", "--profile", imported)
    assert status == 1
    line = one_error_line(err)
    assert line.startswith("ssmclient: hop 1 (")
    assert "cannot reach AWS" in line


def test_session_name_and_source_identity_on_both_hops(
    cli_alice: Sandbox, run: Run, variant: Callable[..., str]
) -> None:
    name = variant(source_identity=True)
    assert run("profile", "set-source", name, "--session-name", "alice.partner")[0] == 0
    status, _, err = run("instances", "--profile", name, "--json")
    assert status == 0, err
    hop1, hop2 = cli_alice.requests("AssumeRole")
    assert (hop1.caller, hop1.source_identity) == (cli_alice.scenario.alice_user_arn, None)
    assert hop2.caller is not None
    assert hop2.caller.endswith(":assumed-role/3P_IAM_Assume_Role/alice.partner")
    # Set on hop 1 (hop 2's caller carries it), kept through hop 2 (the listing's does).
    assert hop2.source_identity == "alice.partner"
    (listing,) = cli_alice.requests("DescribeInstances")
    assert listing.caller is not None
    assert listing.caller.endswith("/alice.partner")
    assert listing.source_identity == "alice.partner"


def test_unreadable_aws_config_is_one_line_not_an_internal_error(
    cli_alice: Sandbox, imported: str, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "broken-aws-config"
    config.write_text("[profile broken\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    status, _, err = run("instances", "--profile", imported)
    assert status == 1
    assert "internal error" not in err
    assert len(err.splitlines()) == 1
