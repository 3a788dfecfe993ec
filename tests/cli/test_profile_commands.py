"""`ssmclient profile ...` in-process: outputs, exit codes and one-line errors."""

import errno
import io
import json
import os
import sys
from pathlib import Path

import pytest

from cli_support import one_error_line, run

from keyring_support import MemoryKeyring
from profile_samples import EXAMPLE, example, write_profile

NAME = EXAMPLE["name"]


def use_aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    config = tmp_path / "aws-config"
    config.write_text(text)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = write_profile(tmp_path, EXAMPLE)
    assert run(capsys, "profile", "import", str(path))[0] == 0
    return path


def test_import_then_list_and_show(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "profile", "list")
    assert status == 0
    assert out.splitlines()[0].split() == [
        "NAME",
        "REGION",
        "INSTANCE",
        "TAG",
        "HOST",
        "ROLE",
        "EXPIRES",
    ]
    assert NAME in out
    assert "ExternalAccessGrantedTo=Third_Party_A" in out

    status, out, _ = run(capsys, "profile", "show", NAME, "--json")
    shown = json.loads(out)
    assert shown["role_arn"] == EXAMPLE["role_arn"]
    assert shown["source"]["kind"] == "default-chain"
    assert "ExternalID3rdPartyA" not in out


def test_import_and_show_say_where_the_external_id_went(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring
) -> None:
    path = write_profile(tmp_path, EXAMPLE)
    status, out, _ = run(capsys, "profile", "import", str(path))
    assert status == 0
    assert "The External ID is in the OS keyring." in out
    # A backend that is not the OS's says so (the sandbox's keyring does).
    memory_keyring.where = "the sandbox's keyring"  # type: ignore[attr-defined]
    status, out, _ = run(capsys, "profile", "show", NAME)
    assert status == 0
    assert "in the sandbox's keyring (not shown)" in out
    assert "OS keyring" not in out


def test_list_json_fields(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [entry] = json.loads(run(capsys, "profile", "list", "--json")[1])
    for field in ("name", "role_arn", "region", "instance_tag", "source_role_arn", "expires"):
        assert field in entry


def test_empty_list_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "profile", "list")
    assert status == 0
    assert "profile import" in out
    assert json.loads(run(capsys, "profile", "list", "--json")[1]) == []


def test_bad_file_exits_2_with_one_line_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_profile(tmp_path, example(role_arn="arn:aws:iam::1:role/x"))
    status, out, err = run(capsys, "profile", "import", str(path))
    assert status == 2
    assert out == ""
    line = one_error_line(err)
    assert line.startswith(f"ssmclient: '{path}' is not a profile file ssmclient can import")
    assert "(role_arn: " in line


def test_forbidden_key_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_profile(tmp_path, example(endpoint_url="http://attacker.example"))
    status, _, err = run(capsys, "profile", "import", str(path))
    assert status == 2
    assert "never needs to send such a thing" in one_error_line(err)


def test_bad_file_changes_nothing(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], config_dir: Path
) -> None:
    before = (config_dir / "profiles.json").read_bytes()
    bad = write_profile(tmp_path, example(external_id="x"), "bad.ssmprofile")
    assert run(capsys, "profile", "import", str(bad), "--yes")[0] == 2
    assert (config_dir / "profiles.json").read_bytes() == before


def test_reimport_without_a_terminal_needs_yes(
    imported: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
) -> None:
    changed = write_profile(tmp_path, example(external_id="NewExternalId"), "new.ssmprofile")
    status, out, err = run(capsys, "profile", "import", str(changed))
    assert status == 2
    assert "external_id: ******** -> ******** (changed)" in out
    assert "--yes" in one_error_line(err)
    assert "ExternalID3rdPartyA" in memory_keyring.entries.values()


@pytest.mark.parametrize(
    ("answer", "status", "message", "region"),
    [("y\n", 0, "Updated profile", "eu-west-1"), ("n\n", 1, "Nothing changed", "us-east-1")],
)
def test_reimport_answered_at_the_prompt(
    imported: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    status: int,
    message: str,
    region: str,
) -> None:
    changed = write_profile(tmp_path, example(region="eu-west-1"), "new.ssmprofile")
    terminal = io.StringIO(answer)
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", terminal)
    got_status, out, _ = run(capsys, "profile", "import", str(changed))
    assert got_status == status
    assert message in out
    assert json.loads(run(capsys, "profile", "show", NAME, "--json")[1])["region"] == region


def test_identical_reimport_is_a_no_op(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "profile", "import", str(imported))
    assert status == 0
    assert "nothing changed" in out


def test_unknown_profile_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (
        ("profile", "show", "nobody"),
        ("profile", "remove", "nobody", "--yes"),
        ("profile", "set-source", "nobody"),
    ):
        status, _, err = run(capsys, *command)
        assert status == 2
        assert "no such profile" in one_error_line(err)


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (("--session-name", "has,comma"), "--session-name"),
        (("--session-name", "x"), "--session-name"),
        (("--mfa-serial", "short"), "--mfa-serial"),
        (
            ("--source-role-arn", "arn:aws:iam::111122223333:role/InHostAccount"),
            "--source-role-arn",
        ),
        (("--source-role-arn", "not-an-arn"), "--source-role-arn"),
        (("--access-key-id", "lowercase"), "--access-key-id"),
        (("--aws-profile", "does-not-exist"), "--aws-profile"),
    ],
)
def test_set_source_rejects_bad_values(
    imported: Path,
    capsys: pytest.CaptureFixture[str],
    flags: tuple[str, ...],
    field: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    status, _, err = run(capsys, "profile", "set-source", NAME, *flags)
    assert status == 2
    assert one_error_line(err).startswith(f"ssmclient: {field}: ")


def test_set_source_flags_are_exclusive(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(
        capsys, "profile", "set-source", NAME, "--default-chain", "--aws-profile", "p"
    )
    assert status == 2
    one_error_line(err)


def test_set_source_named_aws_profile(
    imported: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sso_profile = "[profile partner-sso]\nsso_session = corp\nsso_account_id = 444455556666\n"
    use_aws_config(tmp_path, monkeypatch, sso_profile)
    status, out, err = run(capsys, "profile", "set-source", NAME, "--aws-profile", "partner-sso")
    assert status == 0, err
    assert "AWS config profile 'partner-sso'" in out
    shown = json.loads(run(capsys, "profile", "show", NAME, "--json")[1])
    assert shown["source"] == {
        "kind": "aws-profile",
        "aws_profile": "partner-sso",
        "mfa_serial": None,
        "session_name": None,
    }


def test_set_source_access_key_from_stdin(
    imported: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    config_dir: Path,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"))
    status, out, err = run(
        capsys, "profile", "set-source", NAME, "--access-key-id", "AKIAIOSFODNN7EXAMPLE"
    )
    assert status == 0, err
    assert "wJalr" not in out
    values = set(memory_keyring.entries.values())
    assert {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"} <= values
    stored = (config_dir / "profiles.json").read_text()
    assert "AKIAIOSFODNN7EXAMPLE" not in stored
    assert "wJalrXUtnFEMI" not in stored


def test_set_source_empty_secret(
    imported: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    status, _, err = run(
        capsys, "profile", "set-source", NAME, "--access-key-id", "AKIAIOSFODNN7EXAMPLE"
    )
    assert status == 2
    assert "secret access key" in one_error_line(err)


def test_set_source_keeps_what_was_not_given(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "profile", "set-source", NAME, "--session-name", "alice")[0] == 0
    assert (
        run(
            capsys,
            "profile",
            "set-source",
            NAME,
            "--mfa-serial",
            "arn:aws:iam::444455556666:mfa/alice",
        )[0]
        == 0
    )
    source = json.loads(run(capsys, "profile", "show", NAME, "--json")[1])["source"]
    assert source["session_name"] == "alice"
    assert source["mfa_serial"] == "arn:aws:iam::444455556666:mfa/alice"


def test_set_source_role_override(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = "arn:aws:iam::777788889999:role/Other"
    assert run(capsys, "profile", "set-source", NAME, "--source-role-arn", other)[0] == 0
    assert json.loads(run(capsys, "profile", "show", NAME, "--json")[1])["source_role_arn"] == other


def test_remove_without_a_terminal_needs_yes(
    imported: Path, capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring
) -> None:
    status, _, err = run(capsys, "profile", "remove", NAME)
    assert status == 2
    assert "--yes" in one_error_line(err)
    assert memory_keyring.entries
    assert run(capsys, "profile", "remove", NAME, "--yes")[0] == 0
    assert memory_keyring.entries == {}


def test_locked_keyring_is_exit_1_with_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.locked = True
    status, _, err = run(capsys, "profile", "import", str(write_profile(tmp_path, EXAMPLE)))
    assert status == 1
    assert "keyring is locked" in one_error_line(err)


def test_unreadable_store_is_exit_1_naming_the_file(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_dir.mkdir(parents=True)
    (config_dir / "profiles.json").write_text("{broken")
    status, _, err = run(capsys, "profile", "list")
    assert status == 1
    assert str(config_dir / "profiles.json") in one_error_line(err)


def test_import_over_an_unreadable_store_keeps_it_aside(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_dir.mkdir(parents=True)
    (config_dir / "profiles.json").write_text("{broken")
    status, _, err = run(capsys, "profile", "import", str(write_profile(tmp_path, EXAMPLE)))
    assert status == 0
    assert "kept as" in err
    kept = [p for p in config_dir.iterdir() if p.name.startswith("profiles.json.unreadable-")]
    assert [p.read_text() for p in kept] == ["{broken"]


@pytest.mark.parametrize(
    "argv",
    [
        ["profile"],
        ["profile", "import"],
        ["profile", "frobnicate"],
        ["--bogus"],
        ["nonsense", "words"],
        ["profile", "list", "--json", "extra"],
    ],
)
def test_usage_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    status, _, err = run(capsys, *argv)
    assert status == 2
    one_error_line(err)


@pytest.mark.parametrize(
    ("word", "suggestion"),
    [("conect", "connect"), ("instance", "instances"), ("profiles", "profile"), ("zzz", None)],
)
def test_a_mistyped_command_is_not_taken_for_a_file(
    capsys: pytest.CaptureFixture[str], word: str, suggestion: str | None
) -> None:
    status, _, err = run(capsys, word)
    assert status == 2
    line = one_error_line(err)
    assert f"unknown command '{word}'" in line
    if suggestion:
        assert f"(did you mean {suggestion}?)" in line
    else:
        assert "did you mean" not in line


def test_unreadable_aws_config_is_one_line(
    imported: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_aws_config(tmp_path, monkeypatch, "[profile broken\nregion = us-east-1\n")
    status, _, err = run(capsys, "profile", "set-source", NAME, "--aws-profile", "p")
    assert status == 2
    assert "--aws-profile: your AWS config cannot be read" in one_error_line(err)


def test_cleanup_lists_then_removes_what_a_set_aside_store_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring
) -> None:
    status, out, _ = run(capsys, "profile", "cleanup")
    assert (status, out) == (0, "No keyring entries are left over from set-aside profile stores.\n")
    run(capsys, "profile", "import", str(write_profile(tmp_path, example(name="old party"))))
    store_file = tmp_path / "config" / "profiles.json"
    store_file.write_bytes(store_file.read_bytes()[:-20])  # damaged
    new = write_profile(tmp_path, example(name="new party"), "new.ssmprofile")
    status, _, err = run(capsys, "profile", "import", str(new))
    assert status == 0
    assert "secrets stay in the keyring until `ssmclient profile cleanup`" in err
    status, out, _ = run(capsys, "profile", "cleanup", "--yes")
    assert status == 0
    assert "1 keyring entries of 1 profile(s) no longer in the store" in out
    assert out.endswith("Removed 1 keyring entries; the set-aside files themselves are kept.\n")
    assert len(memory_keyring.entries) == 1  # the new party's External ID


@pytest.mark.parametrize(
    ("where", "code"),
    [("mkstemp", errno.EROFS), ("fsync", errno.ENOSPC)],
    ids=["read-only", "full"],
)
def test_a_read_only_or_full_config_dir_is_one_line_and_changes_nothing(
    imported: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    code: int,
) -> None:
    from ssmclient.core import atomic_file

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    before = dict(memory_keyring.entries)
    with monkeypatch.context() as patched:
        target = atomic_file.tempfile if where == "mkstemp" else atomic_file.os
        patched.setattr(target, where, refuse)
        other = write_profile(tmp_path, example(name="Other party"), "other.ssmprofile")
        status, _, err = run(capsys, "profile", "import", str(other))
    assert status != 0
    line = one_error_line(err)
    assert "cannot write the profile store" in line
    assert os.strerror(code) in line
    assert memory_keyring.entries == before  # the new External ID was taken back
    status, out, _ = run(capsys, "profile", "list", "--json")
    assert status == 0  # still usable, and nothing lost
    assert [row["name"] for row in json.loads(out)] == [NAME]


def test_a_keyring_failing_mid_write_changes_nothing(
    imported: Path,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = dict(memory_keyring.entries)
    _, shown_before, _ = run(capsys, "profile", "show", NAME, "--json")
    monkeypatch.setattr(sys, "stdin", io.StringIO("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"))
    memory_keyring.writes_left = 1  # the key id is written, the secret is refused
    status, _, err = run(
        capsys, "profile", "set-source", NAME, "--access-key-id", "AKIAIOSFODNN7EXAMPLE"
    )
    memory_keyring.writes_left = None
    assert status != 0
    assert "keyring" in one_error_line(err)
    assert memory_keyring.entries == before
    assert run(capsys, "profile", "show", NAME, "--json")[1] == shown_before
