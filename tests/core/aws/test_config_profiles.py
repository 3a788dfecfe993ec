"""The profiles of the user's own AWS config and credentials files, as the window lists them."""

import shlex
from pathlib import Path

import pytest

from ssmclient.core.aws.config_profiles import AwsConfigProfile, aws_config_profiles
from ssmclient.core.errors import SsmClientError

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

CONFIG = f"""\
[default]
region = eu-west-1

[profile static]
region = us-east-1
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = {SECRET}

[profile legacy-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = PartnerAccess
region = us-east-1

[profile new-sso]
sso_session = corp
sso_account_id = 444455556666
sso_role_name = PartnerAccess

[profile Beta]
role_arn = arn:aws:iam::444455556666:role/Partner
source_profile = static

[profile Zulu]
region = us-west-2

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access
"""

CREDENTIALS = f"""\
[creds-only]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = {SECRET}

[static]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = {SECRET}
"""


@pytest.fixture
def aws_files(
    no_aws_settings: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    config = tmp_path / "aws-config"
    credentials = tmp_path / "aws-credentials"
    config.write_text(CONFIG)
    credentials.write_text(CREDENTIALS)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    return config, credentials


def test_every_profile_sorted_with_its_kind(aws_files: tuple[Path, Path]) -> None:
    assert aws_config_profiles() == [
        AwsConfigProfile("Beta", sso=False),
        AwsConfigProfile("creds-only", sso=False),
        AwsConfigProfile("default", sso=False),
        AwsConfigProfile("legacy-sso", sso=True),
        AwsConfigProfile("new-sso", sso=True),
        AwsConfigProfile("static", sso=False),
        AwsConfigProfile("Zulu", sso=False),
    ]


def test_sso_sessions_are_not_profiles(aws_files: tuple[Path, Path]) -> None:
    assert "corp" not in [p.name for p in aws_config_profiles()]


def test_no_value_is_returned(aws_files: tuple[Path, Path]) -> None:
    shown = repr(aws_config_profiles())
    for value in (SECRET, "AKIAIOSFODNN7EXAMPLE", "444455556666", "awsapps.com"):
        assert value not in shown


def test_sso_login_command(aws_files: tuple[Path, Path]) -> None:
    by_name = {p.name: p for p in aws_config_profiles()}
    assert by_name["legacy-sso"].sso_login_command == "aws sso login --profile legacy-sso"
    assert by_name["new-sso"].sso_login_command == "aws sso login --profile new-sso"


def test_sso_login_command_for_a_name_with_a_space() -> None:
    command = AwsConfigProfile("my dev", sso=True).sso_login_command
    assert shlex.split(command) == ["aws", "sso", "login", "--profile", "my dev"]


def test_the_variables_choose_the_files(
    aws_files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other-config"
    other.write_text("[profile only-here]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(other))
    assert [p.name for p in aws_config_profiles()] == [
        "creds-only",
        "only-here",
        "static",
    ]  # Zulu was the other file's


def test_no_files_means_no_profiles(no_aws_settings: None) -> None:
    assert aws_config_profiles() == []


@pytest.mark.parametrize(
    "text",
    [
        "[profile broken\nregion = us-east-1\n",
        "region = us-east-1\n[default]\n",
        "[default]\nregion = us-east-1\n  bad continuation\n[default]\nregion = x\n",
    ],
    ids=["unclosed-section", "no-section", "duplicate-section"],
)
def test_an_unparsable_config_is_one_line_error(
    no_aws_settings: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    config = tmp_path / "broken-config"
    config.write_text(text)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    with pytest.raises(SsmClientError) as info:
        aws_config_profiles()
    message = info.value.message
    assert message.startswith("your AWS config cannot be read: ")
    assert "\n" not in message
    assert message.isprintable()
