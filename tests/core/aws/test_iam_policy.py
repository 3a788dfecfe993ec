"""The offline IAM evaluator against AWS's documented policy evaluation logic.

References: IAM User Guide, "Policy evaluation logic", "IAM JSON policy elements: Condition
operators", "Conditions with multiple context keys or values" and "IAM policy elements:
Variables and tags" (including "Policy variables with no value").
"""

from collections.abc import Mapping
from typing import Any

import pytest

from ssmclient.core.aws.iam_policy import (
    Caller,
    Decision,
    Request,
    as_list,
    decide,
    principal_matches,
    statement_applies,
    statements,
    unsupported,
)

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Operator"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/Operator/alice"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/bob"
INSTANCE = f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0123456789abcdef0"
BUCKET_OBJECT = "arn:aws:s3:::example-bucket/reports/q1.csv"

SESSION = Caller(arn=SESSION_ARN, account=ACCOUNT, role_arn=ROLE_ARN)
USER = Caller(arn=USER_ARN, account=ACCOUNT)
OUTSIDER = Caller(
    arn=f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/Operator/eve",
    account=OTHER_ACCOUNT,
    role_arn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/Operator",
)


def policy(*stmts: Mapping[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(stmts)}


def allow(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def when(condition: Mapping[str, Any]) -> dict[str, Any]:
    """A policy with one Allow statement for s3:GetObject on anything, under `condition`."""
    return policy(allow(Condition=condition))


def get_object(
    context: Mapping[str, str | None] | None = None,
    *,
    resource: str = BUCKET_OBJECT,
    caller: Caller = SESSION,
) -> Request:
    return Request("s3:GetObject", caller, resource, dict(context or {}))


def trust(principal: Any, **extra: Any) -> dict[str, Any]:
    return policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal, **extra})


def assume(caller: Caller, context: Mapping[str, str | None] | None = None) -> Request:
    return Request("sts:AssumeRole", caller, None, dict(context or {}))


# --- Deny/Allow precedence ---------------------------------------------------------------


def test_explicit_deny_beats_allow_in_the_same_policy() -> None:
    assert decide([policy(allow(), deny())], get_object()) is Decision.EXPLICIT_DENY


@pytest.mark.parametrize("deny_first", [True, False])
def test_explicit_deny_beats_allow_across_policies_in_any_order(deny_first: bool) -> None:
    policies = [policy(deny()), policy(allow())]
    if not deny_first:
        policies.reverse()
    assert decide(policies, get_object()) is Decision.EXPLICIT_DENY


def test_no_matching_statement_is_implicit_deny() -> None:
    assert decide([policy(allow("s3:PutObject"))], get_object()) is Decision.IMPLICIT_DENY


def test_empty_policy_list_is_implicit_deny() -> None:
    assert decide([], get_object()) is Decision.IMPLICIT_DENY


def test_policy_without_statements_is_implicit_deny() -> None:
    assert decide([{"Version": "2012-10-17"}], get_object()) is Decision.IMPLICIT_DENY


def test_matching_allow_alone_allows() -> None:
    assert decide([policy(allow())], get_object()) is Decision.ALLOW


def test_deny_that_does_not_match_leaves_the_allow_standing() -> None:
    policies = [policy(allow(), deny("s3:PutObject"))]
    assert decide(policies, get_object()) is Decision.ALLOW


def test_a_single_statement_object_instead_of_a_list_is_evaluated() -> None:
    document = {"Version": "2012-10-17", "Statement": allow()}
    assert decide([document], get_object()) is Decision.ALLOW


# --- Action / NotAction ------------------------------------------------------------------


def test_action_matching_is_case_insensitive() -> None:
    request = Request("SSM:startsession", SESSION, INSTANCE)
    assert decide([policy(allow("ssm:StartSession"))], request) is Decision.ALLOW


def test_action_star_wildcard_matches_a_prefix() -> None:
    policies = [policy(allow("ssm:Start*"))]
    assert decide(policies, Request("ssm:StartSession", SESSION, INSTANCE)) is Decision.ALLOW
    assert (
        decide(policies, Request("ssm:TerminateSession", SESSION, INSTANCE))
        is Decision.IMPLICIT_DENY
    )


def test_action_star_wildcard_does_not_cross_into_another_service() -> None:
    request = Request("ssmmessages:OpenDataChannel", SESSION, "*")
    assert decide([policy(allow("ssm:*"))], request) is Decision.IMPLICIT_DENY


def test_action_question_mark_matches_exactly_one_character() -> None:
    policies = [policy(allow("ssm:Get?arameter"))]
    assert decide(policies, Request("ssm:GetParameter", SESSION, "*")) is Decision.ALLOW
    assert decide(policies, Request("ssm:GetParameters", SESSION, "*")) is Decision.IMPLICIT_DENY
    assert decide(policies, Request("ssm:Getarameter", SESSION, "*")) is Decision.IMPLICIT_DENY


def test_a_lone_star_action_matches_every_action() -> None:
    assert decide([policy(allow("*"))], Request("ec2:RunInstances", SESSION, "*")) is (
        Decision.ALLOW
    )


def test_action_list_matches_any_of_its_entries() -> None:
    policies = [policy(allow(["s3:PutObject", "s3:GetObject"]))]
    assert decide(policies, get_object()) is Decision.ALLOW


def test_not_action_allows_every_action_except_those_listed() -> None:
    statement = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert decide([policy(statement)], get_object()) is Decision.ALLOW
    request = Request("iam:CreateUser", SESSION, "*")
    assert decide([policy(statement)], request) is Decision.IMPLICIT_DENY


def test_not_action_is_case_insensitive_too() -> None:
    statement = {"Effect": "Allow", "NotAction": "IAM:*", "Resource": "*"}
    request = Request("iam:CreateUser", SESSION, "*")
    assert decide([policy(statement)], request) is Decision.IMPLICIT_DENY


def test_deny_with_not_action_denies_everything_outside_the_list() -> None:
    policies = [
        policy(allow("*"), {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"})
    ]
    assert decide(policies, get_object()) is Decision.ALLOW
    assert decide(policies, Request("s3:PutObject", SESSION, BUCKET_OBJECT)) is (
        Decision.EXPLICIT_DENY
    )


# --- Resource / NotResource --------------------------------------------------------------


def test_resource_wildcards_match_within_the_arn() -> None:
    policies = [policy(allow(resource="arn:aws:s3:::example-bucket/reports/*"))]
    assert decide(policies, get_object()) is Decision.ALLOW
    other = get_object(resource="arn:aws:s3:::example-bucket/private/q1.csv")
    assert decide(policies, other) is Decision.IMPLICIT_DENY


def test_resource_question_mark_matches_one_character() -> None:
    policies = [policy(allow(resource="arn:aws:s3:::example-bucket/reports/q?.csv"))]
    assert decide(policies, get_object()) is Decision.ALLOW
    other = get_object(resource="arn:aws:s3:::example-bucket/reports/q10.csv")
    assert decide(policies, other) is Decision.IMPLICIT_DENY


def test_resource_matching_is_case_sensitive() -> None:
    policies = [policy(allow(resource="arn:aws:s3:::Example-Bucket/*"))]
    assert decide(policies, get_object()) is Decision.IMPLICIT_DENY


def test_resource_list_matches_any_of_its_entries() -> None:
    policies = [policy(allow(resource=["arn:aws:s3:::nope/*", "arn:aws:s3:::example-bucket/*"]))]
    assert decide(policies, get_object()) is Decision.ALLOW


def test_not_resource_allows_every_resource_except_those_listed() -> None:
    statement = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "NotResource": "arn:aws:s3:::example-bucket/private/*",
    }
    assert decide([policy(statement)], get_object()) is Decision.ALLOW
    private = get_object(resource="arn:aws:s3:::example-bucket/private/key")
    assert decide([policy(statement)], private) is Decision.IMPLICIT_DENY


def test_statement_without_resource_matches_a_request_without_resource() -> None:
    """Trust policies have no Resource element; the request's resource is then None."""
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ROLE_ARN}}
    assert statement_applies(statement, assume(SESSION)) is True
    assert decide([policy(statement)], assume(SESSION)) is Decision.ALLOW


def test_identity_statement_without_resource_cannot_be_judged_and_grants_nothing() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject"}
    assert statement_applies(statement, get_object()) is None
    assert decide([policy(statement)], get_object()) is Decision.IMPLICIT_DENY


def test_statement_without_action_or_not_action_cannot_be_judged() -> None:
    statement = {"Effect": "Allow", "Resource": "*"}
    assert statement_applies(statement, get_object()) is None
    assert decide([policy(statement)], get_object()) is Decision.IMPLICIT_DENY
    assert decide([policy(allow(), {"Effect": "Deny", "Resource": "*"})], get_object()) is (
        Decision.EXPLICIT_DENY
    )


# --- Principal (trust policies) ----------------------------------------------------------


def test_account_root_principal_matches_any_identity_of_that_account() -> None:
    root = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert principal_matches(root, SESSION) is True
    assert principal_matches(root, USER) is True
    assert decide([trust(root)], assume(SESSION)) is Decision.ALLOW


def test_account_root_principal_does_not_match_another_account() -> None:
    root = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert principal_matches(root, OUTSIDER) is False
    assert decide([trust(root)], assume(OUTSIDER)) is Decision.IMPLICIT_DENY


def test_bare_account_id_principal_matches_identities_of_that_account_only() -> None:
    assert principal_matches({"AWS": ACCOUNT}, USER) is True
    assert principal_matches({"AWS": ACCOUNT}, OUTSIDER) is False


def test_role_arn_principal_matches_a_session_of_that_role() -> None:
    assert principal_matches({"AWS": ROLE_ARN}, SESSION) is True
    assert decide([trust({"AWS": ROLE_ARN})], assume(SESSION)) is Decision.ALLOW


def test_role_arn_principal_does_not_match_another_role_or_a_user() -> None:
    other_role = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Auditor"}
    assert principal_matches(other_role, SESSION) is False
    assert principal_matches({"AWS": ROLE_ARN}, USER) is False
    assert decide([trust(other_role)], assume(SESSION)) is Decision.IMPLICIT_DENY


def test_user_arn_principal_matches_that_user() -> None:
    assert principal_matches({"AWS": USER_ARN}, USER) is True
    assert principal_matches({"AWS": USER_ARN}, SESSION) is False


def test_session_arn_principal_matches_that_session() -> None:
    assert principal_matches({"AWS": SESSION_ARN}, SESSION) is True


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["nobody", "*"]}])
def test_star_principal_matches_everyone(principal: Any) -> None:
    assert principal_matches(principal, OUTSIDER) is True
    assert decide([trust(principal)], assume(OUTSIDER)) is Decision.ALLOW


def test_principal_list_matches_any_of_its_entries() -> None:
    principal = {"AWS": [f"arn:aws:iam::{OTHER_ACCOUNT}:root", ROLE_ARN]}
    assert principal_matches(principal, SESSION) is True
    assert principal_matches(principal, OUTSIDER) is True
    assert principal_matches({"AWS": [USER_ARN]}, OUTSIDER) is False


def test_service_principal_does_not_match_an_aws_identity() -> None:
    service = {"Service": "ec2.amazonaws.com"}
    assert principal_matches(service, SESSION) is False
    assert decide([trust(service)], assume(SESSION)) is Decision.IMPLICIT_DENY


def test_trust_policy_condition_on_external_id() -> None:
    document = trust({"AWS": ROLE_ARN}, Condition={"StringEquals": {"sts:ExternalId": "x-42"}})
    assert decide([document], assume(SESSION, {"sts:ExternalId": "x-42"})) is Decision.ALLOW
    assert decide([document], assume(SESSION, {"sts:ExternalId": "x-43"})) is (
        Decision.IMPLICIT_DENY
    )
    assert decide([document], assume(SESSION)) is Decision.IMPLICIT_DENY


# --- String condition operators ----------------------------------------------------------


def test_string_equals_is_exact_and_case_sensitive() -> None:
    document = when({"StringEquals": {"aws:PrincipalTag/team": "blue"}})
    assert decide([document], get_object({"aws:PrincipalTag/team": "blue"})) is Decision.ALLOW
    assert decide([document], get_object({"aws:PrincipalTag/team": "Blue"})) is (
        Decision.IMPLICIT_DENY
    )
    assert decide([document], get_object({"aws:PrincipalTag/team": "blue2"})) is (
        Decision.IMPLICIT_DENY
    )


def test_string_equals_on_a_missing_key_is_false() -> None:
    document = when({"StringEquals": {"aws:PrincipalTag/team": "blue"}})
    assert decide([document], get_object()) is Decision.IMPLICIT_DENY


def test_string_equals_takes_wildcards_literally() -> None:
    document = when({"StringEquals": {"aws:PrincipalTag/team": "bl*"}})
    assert decide([document], get_object({"aws:PrincipalTag/team": "blue"})) is (
        Decision.IMPLICIT_DENY
    )
    assert decide([document], get_object({"aws:PrincipalTag/team": "bl*"})) is Decision.ALLOW


def test_string_not_equals_allows_any_other_value() -> None:
    document = when({"StringNotEquals": {"aws:PrincipalTag/team": "red"}})
    assert decide([document], get_object({"aws:PrincipalTag/team": "blue"})) is Decision.ALLOW
    assert decide([document], get_object({"aws:PrincipalTag/team": "red"})) is (
        Decision.IMPLICIT_DENY
    )


def test_string_not_equals_on_a_missing_key_is_true() -> None:
    """AWS: a negated operator (StringNotEquals, StringNotLike...) is true for a missing key."""
    document = when({"StringNotEquals": {"aws:PrincipalTag/team": "red"}})
    assert decide([document], get_object()) is Decision.ALLOW


def test_negated_operator_on_a_missing_key_makes_a_deny_fire() -> None:
    policies = [policy(allow(), deny(Condition={"StringNotLike": {"aws:PrincipalTag/team": "b*"}}))]
    assert decide(policies, get_object()) is Decision.EXPLICIT_DENY
    assert decide(policies, get_object({"aws:PrincipalTag/team": "blue"})) is Decision.ALLOW


def test_string_equals_ignore_case() -> None:
    document = when({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "BLUE"}})
    assert decide([document], get_object({"aws:PrincipalTag/team": "blue"})) is Decision.ALLOW
    assert decide([document], get_object({"aws:PrincipalTag/team": "red"})) is (
        Decision.IMPLICIT_DENY
    )


def test_string_not_equals_ignore_case() -> None:
    document = when({"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "BLUE"}})
    assert decide([document], get_object({"aws:PrincipalTag/team": "blue"})) is (
        Decision.IMPLICIT_DENY
    )
    assert decide([document], get_object({"aws:PrincipalTag/team": "red"})) is Decision.ALLOW


def test_string_like_star_and_question_mark_wildcards() -> None:
    document = when({"StringLike": {"s3:prefix": "home/??/*"}})
    assert decide([document], get_object({"s3:prefix": "home/ab/notes"})) is Decision.ALLOW
    assert decide([document], get_object({"s3:prefix": "home/abc/notes"})) is (
        Decision.IMPLICIT_DENY
    )


def test_string_like_is_case_sensitive() -> None:
    document = when({"StringLike": {"s3:prefix": "home/*"}})
    assert decide([document], get_object({"s3:prefix": "HOME/x"})) is Decision.IMPLICIT_DENY


def test_string_like_matches_the_whole_value() -> None:
    document = when({"StringLike": {"s3:prefix": "home"}})
    assert decide([document], get_object({"s3:prefix": "home/x"})) is Decision.IMPLICIT_DENY


def test_string_not_like_excludes_matching_values() -> None:
    document = when({"StringNotLike": {"s3:prefix": "private/*"}})
    assert decide([document], get_object({"s3:prefix": "private/x"})) is Decision.IMPLICIT_DENY
    assert decide([document], get_object({"s3:prefix": "public/x"})) is Decision.ALLOW


# --- ARN, Bool and Null operators --------------------------------------------------------


def test_arn_like_with_wildcards() -> None:
    document = when({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Op*"}})
    assert decide([document], get_object({"aws:PrincipalArn": ROLE_ARN})) is Decision.ALLOW
    auditor = f"arn:aws:iam::{ACCOUNT}:role/Auditor"
    assert decide([document], get_object({"aws:PrincipalArn": auditor})) is (Decision.IMPLICIT_DENY)


def test_arn_equals_matches_the_exact_arn_and_is_case_sensitive() -> None:
    document = when({"ArnEquals": {"aws:SourceArn": ROLE_ARN}})
    assert decide([document], get_object({"aws:SourceArn": ROLE_ARN})) is Decision.ALLOW
    assert decide([document], get_object({"aws:SourceArn": ROLE_ARN.upper()})) is (
        Decision.IMPLICIT_DENY
    )


def test_arn_equals_accepts_wildcards_like_arn_like() -> None:
    """AWS documents ArnEquals and ArnLike identically: both take `*` and `?`."""
    document = when({"ArnEquals": {"aws:SourceArn": f"arn:aws:iam::{ACCOUNT}:role/*"}})
    assert decide([document], get_object({"aws:SourceArn": ROLE_ARN})) is Decision.ALLOW


def test_arn_not_like_excludes_matching_arns() -> None:
    document = when({"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Op*"}})
    assert decide([document], get_object({"aws:PrincipalArn": ROLE_ARN})) is (
        Decision.IMPLICIT_DENY
    )
    assert decide([document], get_object({"aws:PrincipalArn": USER_ARN})) is Decision.ALLOW


def test_bool_true_and_false() -> None:
    document = when({"Bool": {"aws:SecureTransport": "true"}})
    assert decide([document], get_object({"aws:SecureTransport": "true"})) is Decision.ALLOW
    assert decide([document], get_object({"aws:SecureTransport": "false"})) is (
        Decision.IMPLICIT_DENY
    )


def test_bool_accepts_a_json_boolean_and_ignores_case() -> None:
    document = when({"Bool": {"aws:SecureTransport": True}})
    assert decide([document], get_object({"aws:SecureTransport": "TRUE"})) is Decision.ALLOW


def test_bool_on_a_missing_key_is_false_so_a_deny_on_false_does_not_fire() -> None:
    """Why AWS recommends BoolIfExists for aws:MultiFactorAuthPresent denies."""
    policies = [policy(allow(), deny(Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))]
    assert decide(policies, get_object()) is Decision.ALLOW
    assert decide(policies, get_object({"aws:MultiFactorAuthPresent": "false"})) is (
        Decision.EXPLICIT_DENY
    )


def test_bool_if_exists_on_a_missing_key_makes_the_deny_fire() -> None:
    policies = [
        policy(
            allow(),
            deny(Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
        )
    ]
    assert decide(policies, get_object()) is Decision.EXPLICIT_DENY
    assert decide(policies, get_object({"aws:MultiFactorAuthPresent": "true"})) is (Decision.ALLOW)


def test_null_true_requires_the_key_to_be_absent() -> None:
    document = when({"Null": {"aws:TokenIssueTime": "true"}})
    assert decide([document], get_object()) is Decision.ALLOW
    assert decide([document], get_object({"aws:TokenIssueTime": "2024-01-01T00:00:00Z"})) is (
        Decision.IMPLICIT_DENY
    )


def test_null_false_requires_the_key_to_be_present() -> None:
    document = when({"Null": {"aws:TokenIssueTime": "false"}})
    assert decide([document], get_object({"aws:TokenIssueTime": "2024-01-01T00:00:00Z"})) is (
        Decision.ALLOW
    )
    assert decide([document], get_object()) is Decision.IMPLICIT_DENY


def test_null_accepts_a_json_boolean() -> None:
    document = when({"Null": {"aws:TokenIssueTime": True}})
    assert decide([document], get_object()) is Decision.ALLOW
    assert decide([document], get_object({"aws:TokenIssueTime": "t"})) is Decision.IMPLICIT_DENY


def test_null_accepts_its_value_as_a_one_element_list() -> None:
    """The policy grammar allows a list for any condition value; ["true"] means "true"."""
    document = when({"Null": {"aws:TokenIssueTime": ["true"]}})
    assert decide([document], get_object({"aws:TokenIssueTime": "t"})) is Decision.IMPLICIT_DENY
    assert decide([document], get_object()) is Decision.ALLOW


def test_context_value_none_counts_as_absent() -> None:
    document = when({"Null": {"aws:TokenIssueTime": "true"}})
    assert decide([document], get_object({"aws:TokenIssueTime": None})) is Decision.ALLOW
    assert get_object({"aws:TokenIssueTime": None}).value("aws:TokenIssueTime") is None


# --- IfExists ----------------------------------------------------------------------------


def test_if_exists_passes_when_the_key_is_missing() -> None:
    document = when({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}})
    assert decide([document], get_object()) is Decision.ALLOW


def test_if_exists_still_checks_a_present_key() -> None:
    document = when({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}})
    assert decide([document], get_object({"ec2:InstanceType": "t3.micro"})) is Decision.ALLOW
    assert decide([document], get_object({"ec2:InstanceType": "m5.large"})) is (
        Decision.IMPLICIT_DENY
    )


def test_arn_like_if_exists_passes_when_the_key_is_missing() -> None:
    document = when({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:sns:*"}})
    assert decide([document], get_object()) is Decision.ALLOW
    assert decide([document], get_object({"aws:SourceArn": ROLE_ARN})) is Decision.IMPLICIT_DENY


# --- Multiple values, keys and operators -------------------------------------------------


def test_multiple_values_for_one_key_are_ored() -> None:
    document = when({"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}})
    assert decide([document], get_object({"aws:PrincipalTag/team": "blue"})) is Decision.ALLOW
    assert decide([document], get_object({"aws:PrincipalTag/team": "green"})) is (
        Decision.IMPLICIT_DENY
    )


def test_multiple_values_for_a_negated_operator_are_nored() -> None:
    """StringNotEquals with ["red", "blue"]: the value must be neither."""
    document = when({"StringNotEquals": {"aws:PrincipalTag/team": ["red", "blue"]}})
    assert decide([document], get_object({"aws:PrincipalTag/team": "blue"})) is (
        Decision.IMPLICIT_DENY
    )
    assert decide([document], get_object({"aws:PrincipalTag/team": "red"})) is (
        Decision.IMPLICIT_DENY
    )
    assert decide([document], get_object({"aws:PrincipalTag/team": "green"})) is Decision.ALLOW


def test_multiple_keys_under_one_operator_are_anded() -> None:
    document = when(
        {"StringEquals": {"aws:PrincipalTag/team": "blue", "aws:RequestedRegion": "eu-west-1"}}
    )
    both = {"aws:PrincipalTag/team": "blue", "aws:RequestedRegion": "eu-west-1"}
    assert decide([document], get_object(both)) is Decision.ALLOW
    one = {"aws:PrincipalTag/team": "blue", "aws:RequestedRegion": "us-east-1"}
    assert decide([document], get_object(one)) is Decision.IMPLICIT_DENY


def test_multiple_operators_are_anded() -> None:
    document = when(
        {
            "StringEquals": {"aws:PrincipalTag/team": "blue"},
            "Bool": {"aws:SecureTransport": "true"},
        }
    )
    good = {"aws:PrincipalTag/team": "blue", "aws:SecureTransport": "true"}
    assert decide([document], get_object(good)) is Decision.ALLOW
    insecure = {"aws:PrincipalTag/team": "blue", "aws:SecureTransport": "false"}
    assert decide([document], get_object(insecure)) is Decision.IMPLICIT_DENY


def test_condition_key_names_are_case_insensitive() -> None:
    document = when({"StringEquals": {"AWS:PRINCIPALTAG/Team": "blue"}})
    assert decide([document], get_object({"aws:principaltag/team": "blue"})) is Decision.ALLOW
    assert get_object({"aws:principaltag/team": "blue"}).value("Aws:PrincipalTag/TEAM") == "blue"


def test_condition_values_stay_case_sensitive_when_key_names_are_not() -> None:
    document = when({"StringEquals": {"AWS:PRINCIPALTAG/Team": "blue"}})
    assert decide([document], get_object({"aws:principaltag/team": "BLUE"})) is (
        Decision.IMPLICIT_DENY
    )


# --- Set operators: not supported, must fail closed --------------------------------------


@pytest.mark.parametrize("operator", ["ForAnyValue:StringEquals", "ForAllValues:StringLike"])
def test_set_operators_are_reported_unsupported(operator: str) -> None:
    document = when({operator: {"aws:TagKeys": ["team"]}})
    assert unsupported(document) == [f"statement 1: condition operator {operator}"]


@pytest.mark.parametrize("operator", ["ForAnyValue:StringEquals", "ForAllValues:StringLike"])
def test_set_operators_never_allow(operator: str) -> None:
    document = when({operator: {"aws:TagKeys": ["team"]}})
    assert decide([document], get_object({"aws:TagKeys": "team"})) is Decision.IMPLICIT_DENY
    assert decide([document], get_object()) is Decision.IMPLICIT_DENY


def test_set_operator_in_a_deny_denies() -> None:
    policies = [policy(allow(), deny(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": "x"}}))]
    assert decide(policies, get_object()) is Decision.EXPLICIT_DENY


# --- Policy variables --------------------------------------------------------------------


def test_principal_tag_variable_in_a_condition_value() -> None:
    document = when({"StringEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}})
    same = {"aws:PrincipalTag/team": "blue", "s3:ExistingObjectTag/team": "blue"}
    assert decide([document], get_object(same)) is Decision.ALLOW
    other = {"aws:PrincipalTag/team": "blue", "s3:ExistingObjectTag/team": "red"}
    assert decide([document], get_object(other)) is Decision.IMPLICIT_DENY


def test_variable_embedded_in_a_larger_condition_value() -> None:
    document = when({"StringEquals": {"s3:prefix": "home/${aws:username}/"}})
    context = {"aws:username": "bob", "s3:prefix": "home/bob/"}
    assert decide([document], get_object(context, caller=USER)) is Decision.ALLOW
    context = {"aws:username": "bob", "s3:prefix": "home/alice/"}
    assert decide([document], get_object(context, caller=USER)) is Decision.IMPLICIT_DENY


def test_userid_variable_in_resource() -> None:
    userid = "AROAEXAMPLEID:alice"
    document = policy(allow(resource="arn:aws:s3:::example-bucket/home/${aws:userid}/*"))
    own = get_object(
        {"aws:userid": userid}, resource=f"arn:aws:s3:::example-bucket/home/{userid}/f"
    )
    assert decide([document], own) is Decision.ALLOW
    theirs = get_object(
        {"aws:userid": userid}, resource="arn:aws:s3:::example-bucket/home/AROAOTHER:eve/f"
    )
    assert decide([document], theirs) is Decision.IMPLICIT_DENY


def test_variable_value_is_matched_literally_in_a_resource() -> None:
    """A `*` that comes from the context is not a wildcard."""
    document = policy(allow(resource="arn:aws:s3:::example-bucket/home/${aws:username}/*"))
    context = {"aws:username": "*"}
    request = get_object(context, resource="arn:aws:s3:::example-bucket/home/bob/f")
    assert decide([document], request) is Decision.IMPLICIT_DENY
    request = get_object(context, resource="arn:aws:s3:::example-bucket/home/*/f")
    assert decide([document], request) is Decision.ALLOW


def test_missing_variable_in_a_condition_value_does_not_match() -> None:
    document = when({"StringEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}})
    request = get_object({"s3:ExistingObjectTag/team": ""})
    assert decide([document], request) is Decision.IMPLICIT_DENY


def test_missing_variable_in_string_like_does_not_match() -> None:
    document = when({"StringLike": {"s3:prefix": "home/${aws:username}/*"}})
    assert decide([document], get_object({"s3:prefix": "home//x"})) is Decision.IMPLICIT_DENY


def test_missing_variable_in_resource_matches_no_resource() -> None:
    document = policy(allow(resource="arn:aws:s3:::example-bucket/home/${aws:username}*"))
    request = get_object(resource="arn:aws:s3:::example-bucket/home/anything")
    assert decide([document], request) is Decision.IMPLICIT_DENY


def test_missing_variable_with_negated_operator_matches_so_the_deny_fires() -> None:
    """AWS's own example: Deny StringNotEquals ObjectTag/Team vs ${aws:PrincipalTag/Team}."""
    policies = [
        policy(
            allow(),
            deny(
                Condition={
                    "StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}
                }
            ),
        )
    ]
    assert decide(policies, get_object({"s3:ExistingObjectTag/Team": "blue"})) is (
        Decision.EXPLICIT_DENY
    )
    same = {"s3:ExistingObjectTag/Team": "blue", "aws:PrincipalTag/Team": "blue"}
    assert decide(policies, get_object(same)) is Decision.ALLOW


def test_variable_default_value_is_used_when_the_key_is_missing() -> None:
    document = policy(
        allow(resource="arn:aws:s3:::example-bucket-${aws:PrincipalTag/team, 'company-wide'}/*")
    )
    wide = "arn:aws:s3:::example-bucket-company-wide/readme"
    yellow = "arn:aws:s3:::example-bucket-yellow/readme"
    assert decide([document], get_object(resource=wide)) is Decision.ALLOW
    assert decide([document], get_object(resource=yellow)) is Decision.IMPLICIT_DENY
    tagged = {"aws:PrincipalTag/team": "yellow"}
    assert decide([document], get_object(tagged, resource=yellow)) is Decision.ALLOW
    assert decide([document], get_object(tagged, resource=wide)) is Decision.IMPLICIT_DENY


def test_star_escape_is_a_literal_asterisk_in_resource() -> None:
    document = policy(allow(resource="arn:aws:s3:::example-bucket/${*}"))
    assert decide([document], get_object(resource="arn:aws:s3:::example-bucket/*")) is (
        Decision.ALLOW
    )
    assert decide([document], get_object(resource="arn:aws:s3:::example-bucket/key")) is (
        Decision.IMPLICIT_DENY
    )


def test_question_mark_escape_is_a_literal_question_mark_in_string_like() -> None:
    document = when({"StringLike": {"s3:prefix": "what${?}"}})
    assert decide([document], get_object({"s3:prefix": "what?"})) is Decision.ALLOW
    assert decide([document], get_object({"s3:prefix": "whatx"})) is Decision.IMPLICIT_DENY


def test_dollar_escape_is_a_literal_dollar_in_string_equals() -> None:
    document = when({"StringEquals": {"s3:prefix": "cost${$}"}})
    assert decide([document], get_object({"s3:prefix": "cost$"})) is Decision.ALLOW
    assert decide([document], get_object({"s3:prefix": "cost${$}"})) is Decision.IMPLICIT_DENY


# --- The real ABAC policy for Session Manager --------------------------------------------

ABAC_POLICY = policy(
    {
        "Sid": "StartTaggedInstances",
        "Effect": "Allow",
        "Action": "ssm:StartSession",
        "Resource": f"arn:aws:ec2:*:{ACCOUNT}:instance/*",
        "Condition": {
            "StringEquals": {
                "ssm:resourceTag/ExternalAccessGrantedTo": (
                    "${aws:PrincipalTag/ExternalAccessGrantedTo}"
                )
            }
        },
    },
    {
        "Sid": "TerminateOwnSessions",
        "Effect": "Allow",
        "Action": ["ssm:TerminateSession", "ssm:ResumeSession"],
        "Resource": f"arn:aws:ssm:*:{ACCOUNT}:session/*",
        "Condition": {
            "StringLike": {"ssm:resourceTag/aws:ssmmessages:session-id": "${aws:userid}"}
        },
    },
)
PARTNER_TAG = {"aws:PrincipalTag/ExternalAccessGrantedTo": "partner-a"}
USERID = "AROAEXAMPLEID:alice"
SESSION_RESOURCE = f"arn:aws:ssm:eu-west-1:{ACCOUNT}:session/alice-0a1b2c3d4e5f"


def start_session(instance_tag: str | None, *, instance: str = INSTANCE) -> Request:
    context: dict[str, str | None] = {**PARTNER_TAG}
    if instance_tag is not None:
        context["ssm:resourceTag/ExternalAccessGrantedTo"] = instance_tag
    return Request("ssm:StartSession", SESSION, instance, context)


def terminate(session_tag: str) -> Request:
    context = {"aws:userid": USERID, "ssm:resourceTag/aws:ssmmessages:session-id": session_tag}
    return Request("ssm:TerminateSession", SESSION, SESSION_RESOURCE, context)


def test_abac_start_session_allows_when_instance_tag_equals_principal_tag() -> None:
    assert decide([ABAC_POLICY], start_session("partner-a")) is Decision.ALLOW


def test_abac_start_session_denies_another_partys_instance() -> None:
    assert decide([ABAC_POLICY], start_session("partner-b")) is Decision.IMPLICIT_DENY


def test_abac_start_session_denies_an_untagged_instance() -> None:
    assert decide([ABAC_POLICY], start_session(None)) is Decision.IMPLICIT_DENY


def test_abac_start_session_denies_an_untagged_principal() -> None:
    context = {"ssm:resourceTag/ExternalAccessGrantedTo": "partner-a"}
    request = Request("ssm:StartSession", SESSION, INSTANCE, context)
    assert decide([ABAC_POLICY], request) is Decision.IMPLICIT_DENY


def test_abac_start_session_denies_an_instance_in_another_account() -> None:
    elsewhere = f"arn:aws:ec2:eu-west-1:{OTHER_ACCOUNT}:instance/i-0123456789abcdef0"
    request = start_session("partner-a", instance=elsewhere)
    assert decide([ABAC_POLICY], request) is Decision.IMPLICIT_DENY


def test_abac_terminate_session_allows_own_session() -> None:
    assert decide([ABAC_POLICY], terminate(USERID)) is Decision.ALLOW


def test_abac_terminate_session_denies_someone_elses_session() -> None:
    assert decide([ABAC_POLICY], terminate("AROAEXAMPLEID:bob")) is Decision.IMPLICIT_DENY


def test_abac_terminate_session_denies_without_a_userid() -> None:
    context = {"ssm:resourceTag/aws:ssmmessages:session-id": USERID}
    request = Request("ssm:TerminateSession", SESSION, SESSION_RESOURCE, context)
    assert decide([ABAC_POLICY], request) is Decision.IMPLICIT_DENY


def test_abac_policy_is_fully_supported() -> None:
    assert unsupported(ABAC_POLICY) == []


# --- Unsupported constructs: reported, and never allow -----------------------------------


@pytest.mark.parametrize(
    "operator", ["NumericLessThan", "DateGreaterThan", "IpAddress", "BinaryEquals", "Bogus"]
)
def test_unknown_condition_operator_is_named_and_never_allows(operator: str) -> None:
    document = policy(allow(Sid="Guarded", Condition={operator: {"aws:SourceIp": "10.0.0.0/8"}}))
    assert unsupported(document) == [f"Guarded: condition operator {operator}"]
    assert decide([document], get_object({"aws:SourceIp": "10.0.0.1"})) is Decision.IMPLICIT_DENY


def test_unknown_condition_operator_in_a_deny_denies() -> None:
    policies = [policy(allow(), deny(Condition={"NumericLessThan": {"s3:max-keys": "10"}}))]
    assert decide(policies, get_object({"s3:max-keys": "50"})) is Decision.EXPLICIT_DENY


def test_unknown_operator_does_not_spoil_a_separate_allow() -> None:
    document = policy(allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), allow())
    assert decide([document], get_object()) is Decision.ALLOW


def test_known_false_condition_beside_an_unknown_one_means_the_deny_does_not_apply() -> None:
    """Conditions are ANDed: one known-false operator settles it whatever the other says."""
    statement = deny(
        Condition={
            "StringEquals": {"aws:PrincipalTag/team": "red"},
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
        }
    )
    assert statement_applies(statement, get_object({"aws:PrincipalTag/team": "blue"})) is False


def test_unknown_statement_element_is_named_and_never_allows() -> None:
    document = policy(allow(NotPrincipal={"AWS": ROLE_ARN}))
    assert unsupported(document) == ["statement 1: NotPrincipal"]
    assert statement_applies(document["Statement"][0], get_object()) is None
    assert decide([document], get_object()) is Decision.IMPLICIT_DENY


def test_unknown_statement_element_in_a_deny_denies() -> None:
    policies = [policy(allow(), deny(NotPrincipal={"AWS": ROLE_ARN}))]
    assert decide(policies, get_object()) is Decision.EXPLICIT_DENY


def test_non_aws_principal_types_are_named() -> None:
    document = trust(
        {"Service": "ec2.amazonaws.com", "Federated": "cognito-identity.amazonaws.com"}
    )
    assert unsupported(document) == ["statement 1: principal Federated, Service"]


def test_condition_that_is_not_an_object_is_named_and_never_allows() -> None:
    document = policy(allow(Condition=["StringEquals"]))
    assert unsupported(document) == ["statement 1: condition operator Condition"]
    assert decide([document], get_object()) is Decision.IMPLICIT_DENY


def test_operator_clauses_that_are_not_an_object_never_allow() -> None:
    document = when({"StringEquals": "blue"})
    assert statement_applies(document["Statement"][0], get_object()) is None
    assert decide([document], get_object()) is Decision.IMPLICIT_DENY


def test_null_if_exists_never_allows() -> None:
    """AWS: IfExists can be added to every operator except Null."""
    document = when({"NullIfExists": {"aws:TokenIssueTime": "true"}})
    assert decide([document], get_object()) is Decision.IMPLICIT_DENY
    assert decide([document], get_object({"aws:TokenIssueTime": "t"})) is Decision.IMPLICIT_DENY


def test_null_if_exists_is_reported_unsupported() -> None:
    document = when({"NullIfExists": {"aws:TokenIssueTime": "true"}})
    assert unsupported(document) == ["statement 1: condition operator NullIfExists"]


def test_unsupported_uses_the_sid_or_the_statement_number() -> None:
    document = policy(
        allow(),
        allow(Condition={"NumericEquals": {"k": "1"}}),
        allow(Sid="Third", Condition={"DateLessThan": {"k": "1"}}),
    )
    assert unsupported(document) == [
        "statement 2: condition operator NumericEquals",
        "Third: condition operator DateLessThan",
    ]


def test_supported_operators_are_not_reported() -> None:
    document = when(
        {
            "StringEquals": {"a": "1"},
            "StringNotEqualsIgnoreCase": {"b": "1"},
            "StringLikeIfExists": {"c": "1"},
            "ArnNotLike": {"d": "arn:*"},
            "ArnEqualsIfExists": {"e": "arn:*"},
            "Bool": {"f": "true"},
            "Null": {"g": "true"},
        }
    )
    assert unsupported(document) == []


# --- Helpers -----------------------------------------------------------------------------


def test_as_list_wraps_a_scalar_and_keeps_a_list() -> None:
    values = ["a", "b"]
    assert as_list("a") == ["a"]
    assert as_list(values) is values
    assert as_list({"k": "v"}) == [{"k": "v"}]


def test_statements_accepts_an_object_or_a_list_and_skips_non_objects() -> None:
    one = allow()
    assert statements({"Statement": one}) == [one]
    assert statements({"Statement": [one, "junk", 3]}) == [one]
    assert statements({}) == []


def test_statement_applies_reports_true_and_false() -> None:
    assert statement_applies(allow(), get_object()) is True
    assert statement_applies(allow("s3:PutObject"), get_object()) is False
    assert statement_applies(allow(resource="arn:aws:s3:::other/*"), get_object()) is False


def test_a_condition_that_is_not_an_object_is_reported_and_grants_nothing() -> None:
    document = when({"StringEquals": "blue"})
    assert unsupported(document) == ["statement 1: condition StringEquals is not an object"]
    assert decide([document], get_object()) is Decision.IMPLICIT_DENY
