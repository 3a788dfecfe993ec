"""Trust-policy evaluation on its own: principal forms, conditions, explicit deny."""

import pytest

from ssmclient.sandbox.identities import Identity
from ssmclient.sandbox.trust_policy import may_assume

PARTNER = "444455556666"
ROLE = f"arn:aws:iam::{PARTNER}:role/3P_IAM_Assume_Role"
USER = Identity("user", f"arn:aws:iam::{PARTNER}:user/alice", PARTNER, "AKIA1", "AIDA1")
SESSION = Identity(
    "assumed-role",
    f"arn:aws:sts::{PARTNER}:assumed-role/3P_IAM_Assume_Role/alice",
    PARTNER,
    "ASIA1",
    "AROA1:alice",
    role_arn=ROLE,
    session_name="alice",
)
OTHER = Identity("user", "arn:aws:iam::999988887777:user/mallory", "999988887777", "AKIA2", "X")


def policy(
    principal: object,
    condition: dict[str, object] | None = None,
    action: object = "sts:AssumeRole",
    effect: str = "Allow",
) -> dict[str, object]:
    statement: dict[str, object] = {"Effect": effect, "Principal": principal, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def allowed(
    doc: dict[str, object],
    caller: Identity,
    *,
    external_id: str | None = None,
    mfa: bool = False,
    source_identity: str | None = None,
) -> bool:
    return may_assume(
        doc, caller, external_id=external_id, mfa_present=mfa, source_identity=source_identity
    )


@pytest.mark.parametrize(
    ("principal", "caller", "expected"),
    [
        ({"AWS": USER.arn}, USER, True),
        ({"AWS": USER.arn}, SESSION, False),
        ({"AWS": ROLE}, SESSION, True),
        ({"AWS": ROLE}, USER, False),
        ({"AWS": SESSION.arn}, SESSION, True),
        ({"AWS": f"arn:aws:iam::{PARTNER}:root"}, USER, True),
        ({"AWS": PARTNER}, SESSION, True),
        ({"AWS": f"arn:aws:iam::{PARTNER}:root"}, OTHER, False),
        ({"AWS": [OTHER.arn, ROLE]}, SESSION, True),
        ("*", OTHER, True),
        ({"Service": "ec2.amazonaws.com"}, USER, False),
    ],
)
def test_principal_forms(principal: object, caller: Identity, expected: bool) -> None:
    assert allowed(policy(principal), caller) is expected


def test_external_id_must_equal_and_missing_is_not_equal() -> None:
    doc = policy({"AWS": ROLE}, {"StringEquals": {"sts:ExternalId": "Right-1"}})
    assert allowed(doc, SESSION, external_id="Right-1")
    assert not allowed(doc, SESSION, external_id="right-1")
    assert not allowed(doc, SESSION, external_id=None)


def test_condition_keys_are_case_insensitive() -> None:
    doc = policy({"AWS": ROLE}, {"StringEquals": {"STS:EXTERNALID": ["a-1", "b-2"]}})
    assert allowed(doc, SESSION, external_id="b-2")


def test_mfa_condition() -> None:
    doc = policy({"AWS": PARTNER}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    assert allowed(doc, USER, mfa=True)
    assert not allowed(doc, USER, mfa=False)


def test_source_identity_needs_set_source_identity() -> None:
    only_assume = policy({"AWS": ROLE})
    both = policy({"AWS": ROLE}, action=["sts:AssumeRole", "sts:SetSourceIdentity"])
    assert allowed(only_assume, SESSION)
    assert not allowed(only_assume, SESSION, source_identity="alice")
    assert allowed(both, SESSION, source_identity="alice")


def statement(
    principal: object, condition: dict[str, object] | None = None, effect: str = "Allow"
) -> dict[str, object]:
    document = policy(principal, condition, effect=effect)
    statements = document["Statement"]
    assert isinstance(statements, list)
    return dict(statements[0])


def test_explicit_deny_wins() -> None:
    doc: dict[str, object] = {
        "Statement": [statement({"AWS": ROLE}), statement({"AWS": "*"}, effect="Deny")]
    }
    assert not allowed(doc, SESSION)


def test_unknown_operator_fails_closed() -> None:
    doc = policy({"AWS": ROLE}, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    assert not allowed(doc, SESSION)
    unknown_deny = statement(
        {"AWS": "*"}, {"DateLessThan": {"aws:CurrentTime": "2000-01-01"}}, effect="Deny"
    )
    assert not allowed({"Statement": [statement({"AWS": ROLE}), unknown_deny]}, SESSION)


def test_wildcard_action() -> None:
    assert allowed(policy({"AWS": ROLE}, action="sts:*"), SESSION)
    assert not allowed(policy({"AWS": ROLE}, action="sts:GetSessionToken"), SESSION)
