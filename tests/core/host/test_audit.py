"""`host audit`'s judgement of a role: the least-privilege setup passes, each loosening fails
the check that names it (and no other), with a fix."""

import copy
import json
from typing import Any

import pytest

from ssmclient.core.host.audit import Check, audit
from ssmclient.core.host.role_facts import NamedPolicy, RoleFacts, trusted_external_ids
from ssmclient.sandbox.scenario import host_abac_policy, host_trust

ROLE = "arn:aws:iam::111122223333:role/SSMStartSession_IAM_Role_ThirdPartyA"
TAGS = {"ExternalAccessGrantedTo": "Third_Party_A", "SSMSessionRunAs": "no_sudo_user"}


def facts(
    trust: dict[str, Any] | None = None,
    policies: list[dict[str, Any]] | None = None,
    tags: dict[str, str] | None = None,
    boundary: dict[str, Any] | None = None,
) -> RoleFacts:
    documents = policies if policies is not None else [json.loads(host_abac_policy())]
    return RoleFacts(
        arn=ROLE,
        name=ROLE.rsplit("/", 1)[-1],
        role_id="AROAEXAMPLEROLEID0001",
        account="111122223333",
        trust_policy=trust or json.loads(host_trust("ExternalID3rdPartyA", source_identity=True)),
        policies=tuple(NamedPolicy(f"p{n}", d) for n, d in enumerate(documents)),
        tags=TAGS if tags is None else tags,
        boundary=None if boundary is None else NamedPolicy("boundary", boundary, managed=True),
        max_session_duration=3600,
    )


def failed(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks if not check.ok}


def abac() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(host_abac_policy())
    return document


def statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in document["Statement"] if s.get("Sid") == sid)
    return found


def test_the_template_policies_pass_every_check() -> None:
    checks = audit(facts())
    assert failed(checks) == {}
    assert len(checks) == 11
    assert all(check.fix is None for check in checks)


def test_a_trust_without_external_id_fails() -> None:
    trust = json.loads(host_trust("x-id", source_identity=False))
    del trust["Statement"][0]["Condition"]
    bad = failed(audit(facts(trust=trust)))
    assert set(bad) == {"External ID required"}
    assert "sts:ExternalId" in (bad["External ID required"].fix or "")


@pytest.mark.parametrize(
    ("principal", "words"),
    [
        ("arn:aws:iam::444455556666:root", "whole accounts"),
        ("444455556666", "whole accounts"),
        ("arn:aws:iam::444455556666:user/alice", "whole accounts or users"),
        ("*", "everyone"),
        ("arn:aws:iam::111122223333:role/HostsOwn", "own account"),
    ],
)
def test_trusting_more_than_the_partners_role_fails(principal: str, words: str) -> None:
    trust = json.loads(host_trust("x-id", source_identity=False))
    trust["Statement"][0]["Principal"] = {"AWS": principal}
    bad = failed(audit(facts(trust=trust)))
    assert "only the partner's role is trusted" in bad
    assert words in bad["only the partner's role is trusted"].detail


def test_a_service_principal_beside_the_partner_fails() -> None:
    trust = json.loads(host_trust("x-id", source_identity=False))
    trust["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    bad = failed(audit(facts(trust=trust)))
    assert (
        "also trusts Service ec2.amazonaws.com" in bad["only the partner's role is trusted"].detail
    )


def test_start_session_without_the_tag_condition_fails() -> None:
    document = abac()
    del statement(document, "StartSessionOnlyOnThePartysInstances")["Condition"]
    bad = failed(audit(facts(policies=[document])))
    assert set(bad) == {"StartSession only on the party's instances"}
    assert (
        "another party's and untagged" in bad["StartSession only on the party's instances"].detail
    )


def test_if_exists_on_the_tag_condition_opens_every_untagged_instance() -> None:
    document = abac()
    found = statement(document, "StartSessionOnlyOnThePartysInstances")
    found["Condition"]["StringEqualsIfExists"] = found["Condition"].pop("StringEquals")
    bad = failed(audit(facts(policies=[document])))
    assert set(bad) == {"StartSession only on the party's instances"}
    assert bad["StartSession only on the party's instances"].detail == (
        "sessions are allowed on untagged instances"
    )


def test_a_role_without_its_party_tag_reaches_nothing() -> None:
    bad = failed(audit(facts(tags={"SSMSessionRunAs": "no_sudo_user"})))
    assert set(bad) == {
        "the role is tagged ExternalAccessGrantedTo",
        "StartSession only on the party's instances",
    }
    assert "reach nothing" in bad["StartSession only on the party's instances"].detail


@pytest.mark.parametrize(
    ("tags", "words"),
    [
        ({"ExternalAccessGrantedTo": "Third_Party_A"}, "ssm-user, which has sudo"),
        ({"ExternalAccessGrantedTo": "Third_Party_A", "SSMSessionRunAs": "root"}, "privileged"),
    ],
)
def test_run_as_missing_or_privileged_fails(tags: dict[str, str], words: str) -> None:
    bad = failed(audit(facts(tags=tags)))
    assert set(bad) == {"the role is tagged SSMSessionRunAs"}
    assert words in bad["the role is tagged SSMSessionRunAs"].detail


def test_any_document_fails() -> None:
    document = abac()
    statement(document, "StartSessionOnlyWithTheAllowedDocuments")["Resource"] = (
        "arn:aws:ssm:*:*:document/*"
    )
    bad = failed(audit(facts(policies=[document])))
    assert set(bad) == {"StartSession only with the allowed documents"}
    detail = bad["StartSession only with the allowed documents"].detail
    assert "AWS-StartInteractiveCommand" in detail
    assert "any document" in detail


def test_ending_other_peoples_sessions_fails_and_not_even_ones_own_too() -> None:
    document = abac()
    del statement(document, "TerminateAndResumeOnlyOwnSessions")["Condition"]
    bad = failed(audit(facts(policies=[document])))
    assert set(bad) == {"Terminate/ResumeSession only on own sessions"}
    assert "other people's sessions" in bad["Terminate/ResumeSession only on own sessions"].detail

    document = abac()
    document["Statement"].remove(statement(document, "TerminateAndResumeOnlyOwnSessions"))
    bad = failed(audit(facts(policies=[document])))
    assert "stay open" in bad["Terminate/ResumeSession only on own sessions"].detail


def test_onward_roles_and_everything_else_fail_when_ssm_star_is_granted() -> None:
    document = abac()
    document["Statement"] = [s for s in document["Statement"] if s["Effect"] == "Allow"]
    document["Statement"].append(
        {"Effect": "Allow", "Action": ["ssm:*", "sts:AssumeRole"], "Resource": "*"}
    )
    bad = failed(audit(facts(policies=[document])))
    assert {
        "no sts:AssumeRole onward",
        "nothing beyond Session Manager and the listing",
        "StartSession only on the party's instances",
        "Terminate/ResumeSession only on own sessions",
        "StartSession only with the allowed documents",
    } <= set(bad)
    granted = bad["nothing beyond Session Manager and the listing"].detail
    assert "ssm:SendCommand" in granted
    assert "ssm:DescribeSessions" in granted
    assert "iam:PassRole" not in granted


def test_without_the_explicit_deny_onward_roles_are_still_refused() -> None:
    document = abac()
    document["Statement"] = [s for s in document["Statement"] if s["Effect"] == "Allow"]
    checks = {c.name: c for c in audit(facts(policies=[document]))}
    assert checks["no sts:AssumeRole onward"].ok
    assert checks["no sts:AssumeRole onward"].detail == "not allowed"


def test_a_listing_the_party_cannot_do_fails() -> None:
    document = abac()
    document["Statement"].remove(statement(document, "ListInstances"))
    bad = failed(audit(facts(policies=[document])))
    assert set(bad) == {"the party can list its instances"}


def test_a_boundary_caps_what_the_policies_grant() -> None:
    document = abac()
    document["Statement"].append({"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": "*"})
    assert "nothing beyond Session Manager and the listing" in failed(
        audit(facts(policies=[document]))
    )
    boundary = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "NotAction": "ssm:SendCommand", "Resource": "*"}],
    }
    assert failed(audit(facts(policies=[document], boundary=boundary))) == {}


def test_what_the_evaluator_cannot_judge_is_a_failed_check_not_a_pass() -> None:
    document = abac()
    statement(document, "ListInstances")["Condition"] = {
        "ForAnyValue:StringLike": {"aws:TagKeys": ["x*"]}
    }
    bad = failed(audit(facts(policies=[document])))
    assert "ForAnyValue:StringLike" in bad["every statement could be judged"].detail
    # Not understood: the statement grants nothing.
    assert "the party can list its instances" in bad


def test_the_external_ids_a_trust_policy_accepts() -> None:
    trust = json.loads(host_trust("first-id", source_identity=False))
    assert trusted_external_ids(trust) == ["first-id"]
    rotating = copy.deepcopy(trust)
    rotating["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] = [
        "first-id",
        "second-id",
    ]
    assert trusted_external_ids(rotating) == ["first-id", "second-id"]
    checks = {c.name: c for c in audit(facts(trust=rotating))}
    assert checks["External ID required"].ok
    assert "finish the rotation" in checks["External ID required"].detail
