"""sts:AssumeRole against the sandbox: trust evaluation, error shapes, chaining, expiry."""

import time

import botocore.exceptions
import pytest
from sandbox_helpers import hop1, hop2, make_client

from ssmclient.sandbox.client import Sandbox


def error_of(
    exc_info: pytest.ExceptionInfo[botocore.exceptions.ClientError],
) -> tuple[str, int, str]:
    response = exc_info.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_two_hops_with_the_right_external_id(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    credentials = hop2(aws_sandbox)
    identity = make_client(aws_sandbox, "sts", credentials).get_caller_identity()
    assert identity["Arn"] == (
        f"arn:aws:sts::{scenario.host_account}:assumed-role/"
        "SSMStartSession_IAM_Role_ThirdPartyA/alice"
    )
    assert identity["Account"] == scenario.host_account
    assert identity["UserId"].endswith(":alice")


@pytest.mark.parametrize("external_id", ["wrong-id", None])
def test_wrong_or_missing_external_id_is_denied_like_aws(
    aws_sandbox: Sandbox, external_id: str | None
) -> None:
    scenario = aws_sandbox.scenario
    sts = make_client(aws_sandbox, "sts", hop1(aws_sandbox))
    extra = {} if external_id is None else {"ExternalId": external_id}
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.assume_role(RoleArn=scenario.host_role_arn, RoleSessionName="alice", **extra)
    assert error_of(caught) == (
        "AccessDenied",
        403,
        f"User: arn:aws:sts::{scenario.partner_account}:assumed-role/3P_IAM_Assume_Role/alice "
        f"is not authorized to perform: sts:AssumeRole on resource: {scenario.host_role_arn}",
    )


def test_external_id_of_b_does_not_open_a(aws_sandbox: Sandbox) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        hop2(aws_sandbox, external_id=aws_sandbox.scenario.external_id_b)
    assert error_of(caught)[0] == "AccessDenied"
    # ...but it opens B.
    hop2(
        aws_sandbox,
        role_arn=aws_sandbox.scenario.host_role_b_arn,
        external_id=aws_sandbox.scenario.external_id_b,
    )


def test_alice_directly_is_not_trusted_by_the_host_role(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        make_client(aws_sandbox, "sts").assume_role(
            RoleArn=scenario.host_role_arn, RoleSessionName="alice", ExternalId=scenario.external_id
        )
    code, status, message = error_of(caught)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: {scenario.alice_user_arn} is not authorized")


def test_unknown_role_is_denied_not_created(aws_sandbox: Sandbox) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        make_client(aws_sandbox, "sts").assume_role(
            RoleArn="arn:aws:iam::111122223333:role/NoSuchRole", RoleSessionName="alice"
        )
    assert error_of(caught)[:2] == ("AccessDenied", 403)


def test_mfa_role_needs_the_right_code(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    sts = make_client(aws_sandbox, "sts")
    role = scenario.partner_mfa_role_arn
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.assume_role(RoleArn=role, RoleSessionName="alice")
    assert error_of(caught)[0] == "AccessDenied"
    wrong = "000000" if scenario.mfa_code != "000000" else "111111"
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.assume_role(
            RoleArn=role, RoleSessionName="alice", SerialNumber=scenario.mfa_serial, TokenCode=wrong
        )
    assert error_of(caught)[0] == "AccessDenied"
    assert "MultiFactorAuthentication failed" in error_of(caught)[2]
    credentials = sts.assume_role(
        RoleArn=role,
        RoleSessionName="alice",
        SerialNumber=scenario.mfa_serial,
        TokenCode=scenario.mfa_code,
    )["Credentials"]
    # The host role trusts the MFA role too: a full MFA chain works.
    make_client(aws_sandbox, "sts", credentials).assume_role(
        RoleArn=scenario.host_role_arn, RoleSessionName="alice", ExternalId=scenario.external_id
    )


def test_role_chaining_caps_duration_at_one_hour(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    sts = make_client(aws_sandbox, "sts", hop1(aws_sandbox))
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.assume_role(
            RoleArn=scenario.host_role_arn,
            RoleSessionName="alice",
            ExternalId=scenario.external_id,
            DurationSeconds=3601,
        )
    assert error_of(caught) == (
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
    )
    sts.assume_role(
        RoleArn=scenario.host_role_arn,
        RoleSessionName="alice",
        ExternalId=scenario.external_id,
        DurationSeconds=3600,
    )


def test_source_identity_needs_trust_and_persists(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    first = hop1(aws_sandbox, SourceIdentity="alice@partner")
    sts = make_client(aws_sandbox, "sts", first)
    # Changing it down the chain is refused.
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.assume_role(
            RoleArn=scenario.host_role_arn,
            RoleSessionName="alice",
            ExternalId=scenario.external_id,
            SourceIdentity="mallory",
        )
    assert error_of(caught)[0] == "AccessDenied"
    answer = sts.assume_role(
        RoleArn=scenario.host_role_arn,
        RoleSessionName="alice",
        ExternalId=scenario.external_id,
        SourceIdentity="alice@partner",
    )
    assert answer["SourceIdentity"] == "alice@partner"
    # Role B's trust lacks sts:SetSourceIdentity, so even the inherited one is refused.
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.assume_role(
            RoleArn=scenario.host_role_b_arn,
            RoleSessionName="alice",
            ExternalId=scenario.external_id_b,
        )
    assert error_of(caught)[0] == "AccessDenied"


def test_expired_credentials_get_expired_token(aws_sandbox: Sandbox) -> None:
    aws_sandbox.set_credential_lifetime(1)
    credentials = hop1(aws_sandbox)
    expiration = credentials["Expiration"]
    assert expiration.timestamp() - time.time() < 5  # type: ignore[attr-defined]
    time.sleep(1.2)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        make_client(aws_sandbox, "sts", credentials).get_caller_identity()
    assert error_of(caught) == (
        "ExpiredToken",
        400,
        "The security token included in the request is expired",
    )


def test_reset_restores_normal_lifetimes(aws_sandbox: Sandbox) -> None:
    aws_sandbox.set_credential_lifetime(1)
    aws_sandbox.reset()
    credentials = hop1(aws_sandbox)
    assert credentials["Expiration"].timestamp() - time.time() > 3000  # type: ignore[attr-defined]


def test_unknown_keys_and_missing_session_token_are_refused(aws_sandbox: Sandbox) -> None:
    credentials = dict(hop1(aws_sandbox))
    fake = dict(credentials, AccessKeyId="ASIAFAKEFAKEFAKEFAKE")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        make_client(aws_sandbox, "sts", fake).get_caller_identity()
    assert error_of(caught)[:2] == ("InvalidClientTokenId", 403)
    tampered = dict(credentials, SessionToken="not-the-token")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        make_client(aws_sandbox, "sts", tampered).get_caller_identity()
    assert error_of(caught)[:2] == ("InvalidClientTokenId", 403)


def test_session_name_rules_are_enforced(aws_sandbox: Sandbox) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        make_client(aws_sandbox, "sts").assume_role(
            RoleArn=aws_sandbox.scenario.partner_role_arn, RoleSessionName="bad name!"
        )
    assert error_of(caught)[:2] == ("ValidationError", 400)


def test_a_wrong_secret_fails_the_signature_check(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    secret = scenario.alice_secret_access_key
    # The last character is swapped for one it is not: a fixed "x" would leave
    # the secret unchanged whenever it already ended in "x" (1 run in ~60).
    wrong = {
        "AccessKeyId": scenario.alice_access_key_id,
        "SecretAccessKey": secret[:-1] + ("y" if secret.endswith("x") else "x"),
        "SessionToken": "",
    }
    sts = make_client(aws_sandbox, "sts", wrong)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.get_caller_identity()
    assert error_of(caught)[:2] == ("SignatureDoesNotMatch", 403)
    host = dict(hop2(aws_sandbox))
    host["SecretAccessKey"] = host["SecretAccessKey"][::-1]
    ssm = make_client(aws_sandbox, "ssm", host)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        ssm.describe_instance_information()
    assert error_of(caught)[:2] == ("InvalidSignatureException", 400)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        make_client(aws_sandbox, "ec2", host).describe_instances()
    assert error_of(caught)[:2] == ("AuthFailure", 401)


def test_session_token_with_mfa_opens_the_mfa_role(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    sts = make_client(aws_sandbox, "sts")
    plain = sts.get_session_token(DurationSeconds=900)["Credentials"]
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        make_client(aws_sandbox, "sts", plain).assume_role(
            RoleArn=scenario.partner_mfa_role_arn, RoleSessionName="alice"
        )
    assert error_of(caught)[0] == "AccessDenied"
    with_mfa = sts.get_session_token(SerialNumber=scenario.mfa_serial, TokenCode=scenario.mfa_code)[
        "Credentials"
    ]
    session_sts = make_client(aws_sandbox, "sts", with_mfa)
    assert session_sts.get_caller_identity()["Arn"] == scenario.alice_user_arn
    # The session carries alice's MFA, so the MFA-only role opens without a code.
    answer = session_sts.assume_role(RoleArn=scenario.partner_mfa_role_arn, RoleSessionName="alice")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        session_sts.get_session_token()
    assert error_of(caught)[0] == "AccessDenied"
    assert answer["AssumedRoleUser"]["Arn"].endswith("3P_IAM_Assume_Role_MFA/alice")
