"""Checking a change of hop 1's source: kept and cleared fields, kinds, keys, labels."""

from pathlib import Path
from typing import Any

import pytest

from ssmclient.core.errors import InputError
from ssmclient.core.profile_file import parse_profile_bytes
from ssmclient.core.profile_model import ProfileRecord, SourceKind, SourceSettings
from ssmclient.core.profile_store import ProfileStore
from ssmclient.core.source_change import (
    CLI_LABELS,
    SourceChange,
    check_aws_profile_name,
    check_secret_access_key,
    source_change,
)

from profile_samples import encode, example

PARTNER_ROLE = "arn:aws:iam::444455556666:role/Partner_Role"
HOST_ACCOUNT_ROLE = "arn:aws:iam::111122223333:role/SomeRole"  # the example's role_arn account
SERIAL = "arn:aws:iam::444455556666:mfa/alice"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

WINDOW_LABELS = {
    "aws_profile": "AWS profile",
    "access_key_id": "Access key ID",
    "secret_access_key": "Secret access key",
    "source_role_arn": "Your role",
    "mfa_serial": "MFA device",
    "session_name": "Session name",
}


@pytest.fixture
def store(config_dir: Path) -> ProfileStore:
    return ProfileStore(config_dir)


@pytest.fixture
def record(store: ProfileStore) -> ProfileRecord:
    """The example profile, as imported: default chain, no overrides."""
    return store.save_import(parse_profile_bytes(encode(example()))).record


@pytest.fixture
def configured(store: ProfileStore, record: ProfileRecord) -> ProfileRecord:
    """The example with every partner-side field set."""
    store.update_source(
        record.name,
        SourceSettings(
            SourceKind.AWS_PROFILE,
            aws_profile="partner",
            source_role_arn=PARTNER_ROLE,
            mfa_serial=SERIAL,
            session_name="alice.partner",
        ),
    )
    return store.get(record.name)


def test_none_fields_keep_the_current_values(configured: ProfileRecord) -> None:
    change = source_change(configured)
    assert change == SourceChange(configured.source, None)
    assert change.settings.aws_profile == "partner"
    assert change.settings.source_role_arn == PARTNER_ROLE
    assert change.settings.mfa_serial == SERIAL
    assert change.settings.session_name == "alice.partner"


def test_one_field_changes_and_the_others_stay(configured: ProfileRecord) -> None:
    change = source_change(configured, session_name="  bob.partner  ")
    assert change.settings == SourceSettings(
        SourceKind.AWS_PROFILE, "partner", PARTNER_ROLE, SERIAL, "bob.partner"
    )


@pytest.mark.parametrize("empty", ["", "   "])
def test_empty_strings_clear_the_optional_fields(configured: ProfileRecord, empty: str) -> None:
    change = source_change(configured, source_role_arn=empty, mfa_serial=empty, session_name=empty)
    assert change.settings == SourceSettings(SourceKind.AWS_PROFILE, "partner", None, None, None)


def test_new_values_are_stored_stripped(record: ProfileRecord) -> None:
    change = source_change(
        record,
        source_role_arn=f" {PARTNER_ROLE} ",
        mfa_serial=f"\t{SERIAL}\n",
        session_name=" alice.partner ",
    )
    assert change.settings == SourceSettings(
        SourceKind.DEFAULT_CHAIN, None, PARTNER_ROLE, SERIAL, "alice.partner"
    )
    assert change.access_key is None


@pytest.mark.parametrize("labels", [CLI_LABELS, WINDOW_LABELS], ids=["cli", "window"])
@pytest.mark.parametrize("aws_profile", [None, ""])
def test_switch_to_an_aws_profile_needs_a_name(
    record: ProfileRecord, labels: dict[str, str], aws_profile: str | None
) -> None:
    with pytest.raises(InputError) as info:
        source_change(record, kind=SourceKind.AWS_PROFILE, aws_profile=aws_profile, labels=labels)
    assert info.value.message.startswith(f"{labels['aws_profile']}: ")
    assert "choose a profile" in info.value.message


def test_switch_to_an_aws_profile_with_a_name(record: ProfileRecord) -> None:
    change = source_change(record, kind=SourceKind.AWS_PROFILE, aws_profile="partner")
    assert change.settings.kind is SourceKind.AWS_PROFILE
    assert change.settings.aws_profile == "partner"


def test_another_aws_profile_without_a_kind(configured: ProfileRecord) -> None:
    change = source_change(configured, aws_profile="other")
    assert change.settings.aws_profile == "other"


def test_switch_away_from_an_aws_profile_forgets_its_name(configured: ProfileRecord) -> None:
    change = source_change(configured, kind=SourceKind.DEFAULT_CHAIN)
    assert change.settings.kind is SourceKind.DEFAULT_CHAIN
    assert change.settings.aws_profile is None
    assert change.settings.source_role_arn == PARTNER_ROLE  # the rest is kept


def test_access_key_pair_is_checked_and_returned(configured: ProfileRecord) -> None:
    change = source_change(
        configured, kind=SourceKind.ACCESS_KEY, access_key=(f" {KEY_ID} ", f" {SECRET}\n")
    )
    assert change.access_key == (KEY_ID, SECRET)
    assert change.settings.kind is SourceKind.ACCESS_KEY
    assert change.settings.aws_profile is None
    assert SECRET not in repr(change)


def test_access_key_kind_without_a_pair_keeps_the_stored_one(record: ProfileRecord) -> None:
    change = source_change(record, kind=SourceKind.ACCESS_KEY)
    assert change.settings.kind is SourceKind.ACCESS_KEY
    assert change.access_key is None


def test_a_pair_for_another_kind_is_not_returned(record: ProfileRecord) -> None:
    change = source_change(record, kind=SourceKind.DEFAULT_CHAIN, access_key=(KEY_ID, SECRET))
    assert change.access_key is None


BAD_CHANGES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "lowercase-key-id",
        {"kind": SourceKind.ACCESS_KEY, "access_key": ("akiaiosfodnn7example", SECRET)},
        "access_key_id",
        "must be an access key id",
    ),
    (
        "short-key-id",
        {"kind": SourceKind.ACCESS_KEY, "access_key": ("AKIA123", SECRET)},
        "access_key_id",
        "must be an access key id",
    ),
    (
        "empty-secret",
        {"kind": SourceKind.ACCESS_KEY, "access_key": (KEY_ID, "")},
        "secret_access_key",
        "nothing was given",
    ),
    (
        "blank-secret",
        {"kind": SourceKind.ACCESS_KEY, "access_key": (KEY_ID, "   ")},
        "secret_access_key",
        "nothing was given",
    ),
    (
        "secret-with-space",
        {"kind": SourceKind.ACCESS_KEY, "access_key": (KEY_ID, "wJalrXUtnFEMI K7MDENG")},
        "secret_access_key",
        "not a secret access key",
    ),
    (
        "secret-non-ascii",
        {"kind": SourceKind.ACCESS_KEY, "access_key": (KEY_ID, "wJalrXUtnFEMI\u00e9K7MDENG")},
        "secret_access_key",
        "not a secret access key",
    ),
    (
        "secret-too-long",
        {"kind": SourceKind.ACCESS_KEY, "access_key": (KEY_ID, "s" * 129)},
        "secret_access_key",
        "not a secret access key",
    ),
    (
        "not-an-arn",
        {"source_role_arn": "Partner_Role"},
        "source_role_arn",
        "not an IAM role ARN",
    ),
    (
        "user-arn",
        {"source_role_arn": "arn:aws:iam::444455556666:user/alice"},
        "source_role_arn",
        "not an IAM role ARN",
    ),
    (
        "host-account",
        {"source_role_arn": HOST_ACCOUNT_ROLE},
        "source_role_arn",
        "is in the host's own account (111122223333)",
    ),
    (
        "other-partition",
        {"source_role_arn": "arn:aws-cn:iam::444455556666:role/Partner_Role"},
        "source_role_arn",
        "must be in the same partition as role_arn",
    ),
    ("short-mfa", {"mfa_serial": "GAHT1234"}, "mfa_serial", "must be an MFA device ARN"),
    ("mfa-space", {"mfa_serial": "arn:aws:iam::1:mfa/a b"}, "mfa_serial", "must be an MFA"),
    ("one-char-name", {"session_name": "a"}, "session_name", "must be 2-64 characters"),
    ("name-space", {"session_name": "alice smith"}, "session_name", "must be 2-64 characters"),
    ("name-comma", {"session_name": "alice,bob"}, "session_name", "must not contain a comma"),
    ("long-name", {"session_name": "a" * 65}, "session_name", "must be 2-64 characters"),
]


@pytest.mark.parametrize("labels", [CLI_LABELS, WINDOW_LABELS], ids=["cli", "window"])
@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [case[1:] for case in BAD_CHANGES],
    ids=[case[0] for case in BAD_CHANGES],
)
def test_each_bad_value_is_refused_with_its_label(
    record: ProfileRecord,
    labels: dict[str, str],
    changes: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    with pytest.raises(InputError) as info:
        source_change(record, labels=labels, **changes)
    message = info.value.message
    assert message.startswith(f"{labels[field]}: "), message
    assert reason in message
    assert SECRET not in message


def test_the_cli_labels_are_the_flags(record: ProfileRecord) -> None:
    with pytest.raises(InputError, match=r"^--mfa-serial: "):
        source_change(record, mfa_serial="x")
    with pytest.raises(InputError, match=r"^--source-role-arn: "):
        source_change(record, source_role_arn=HOST_ACCOUNT_ROLE)


def test_a_role_of_the_partner_is_accepted(record: ProfileRecord) -> None:
    path_role = "arn:aws:iam::444455556666:role/team/ops/Partner_Role"
    assert source_change(record, source_role_arn=path_role).settings.source_role_arn == path_role


def test_check_secret_access_key_strips() -> None:
    assert check_secret_access_key(f"  {SECRET}\n", "label") == SECRET


@pytest.mark.parametrize("label", ["--aws-profile", "AWS profile"])
def test_check_aws_profile_name(label: str) -> None:
    available = ["default", "partner", "sso-dev"]
    check_aws_profile_name("partner", available, label)  # no error
    with pytest.raises(InputError) as info:
        check_aws_profile_name("missing", available, label)
    assert info.value.message == (
        f"{label}: no profile 'missing' in your AWS config or credentials files"
    )


@pytest.mark.parametrize("name", ["", " partner", "partner ", "part\tner", "part\x1bner"])
def test_check_aws_profile_name_refuses_non_names(name: str) -> None:
    # Refused as a name even when a file somehow lists it.
    with pytest.raises(InputError) as info:
        check_aws_profile_name(name, [name, "partner"], "AWS profile")
    assert info.value.message == "AWS profile: not a profile name"


def test_check_aws_profile_name_refuses_invisible_characters() -> None:
    with pytest.raises(InputError, match=r"^--aws-profile: not a profile name$"):
        check_aws_profile_name("evil\u202eeman", ["evil\u202eeman"], "--aws-profile")


def test_check_aws_profile_name_shortens_what_it_shows() -> None:
    with pytest.raises(InputError) as info:
        check_aws_profile_name("p" * 500, ["partner"], "--aws-profile")
    assert len(info.value.message) < 200
    assert "\u2026" in info.value.message
