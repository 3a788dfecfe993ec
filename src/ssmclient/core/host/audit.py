"""`host audit`: does a party role match the least-privilege setup, point by point?

Each check asks the role's real policies (read by `role_facts`) what IAM would
decide for requests that must be allowed and requests that must not be: the
party's own instances and another party's, its own sessions and someone
else's, an onward AssumeRole, a RunCommand, ... The answers come from the
core's evaluator (`core.aws.iam_policy`), with the request context IAM builds
(the role's tags as aws:PrincipalTag, the resource's tags, aws:userid). What
the evaluator cannot judge is reported as a failed check, never passed.
Service control policies and session policies are not visible from the role
and are not judged.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ssmclient.core.aws import naming
from ssmclient.core.aws.iam_policy import (
    Caller,
    Decision,
    Request,
    as_list,
    decide,
    statements,
    unsupported,
)
from ssmclient.core.host.issuing import TEMPLATE_TAG_KEY
from ssmclient.core.host.role_facts import RoleFacts, trusted_external_ids
from ssmclient.core.profile_model import DEFAULT_DOCUMENTS, SSH_DOCUMENT

RUN_AS_TAG = "SSMSessionRunAs"
SESSION_OWNER_TAG = "aws:ssmmessages:session-id"
FIX_TEMPLATE = "see resources/host/host-party-role.yaml"
# A stand-in for "some other account": the audit asks whether strangers get in.
_STRANGER_ACCOUNT = "999988887777"
_ALLOWED_DOCUMENTS = (*DEFAULT_DOCUMENTS, SSH_DOCUMENT)
# Documents that run what the caller chooses, not a shell as the Run As user.
_OTHER_DOCUMENTS = ("AWS-StartInteractiveCommand", "AWS-StartNonInteractiveCommand")
# What a party role must not be able to do besides Session Manager.
_BEYOND_SESSIONS = (
    ("ssm:SendCommand", "instance"),
    ("ssm:StartAutomationExecution", "*"),
    ("ssm:GetParameter", "*"),
    ("ssm:GetParameters", "*"),
    ("ssm:PutParameter", "*"),
    ("ssm:CreateDocument", "*"),
    ("ssm:UpdateDocument", "*"),
    ("ssm:UpdateDocumentDefaultVersion", "*"),
    ("ssm:DescribeSessions", "*"),
    ("ec2:RunInstances", "*"),
    ("ec2:ModifyInstanceAttribute", "instance"),
    ("ec2:GetPasswordData", "instance"),
    ("ec2-instance-connect:SendSSHPublicKey", "instance"),
    ("iam:PassRole", "*"),
    ("iam:CreateRole", "*"),
    ("iam:PutRolePolicy", "*"),
    ("iam:UpdateAssumeRolePolicy", "*"),
    ("logs:DeleteLogGroup", "*"),
    ("cloudtrail:StopLogging", "*"),
    ("s3:GetObject", "*"),
    ("secretsmanager:GetSecretValue", "*"),
    ("kms:Decrypt", "*"),
)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


@dataclass(frozen=True)
class _Party:
    """The role's own view: its session as a caller, and the request contexts it gets."""

    facts: RoleFacts
    partition: str

    @property
    def tag_value(self) -> str | None:
        return self.facts.tags.get(TEMPLATE_TAG_KEY)

    @property
    def user_id(self) -> str:
        return f"{self.facts.role_id}:partner-engineer"

    def caller(self) -> Caller:
        facts = self.facts
        arn = (
            f"arn:{self.partition}:sts::{facts.account}:assumed-role/{facts.name}/partner-engineer"
        )
        return Caller(arn=arn, account=self.facts.account, role_arn=self.facts.arn)

    def decision(
        self, action: str, resource: str, resource_tags: Mapping[str, str] | None = None
    ) -> Decision:
        context: dict[str, str | None] = {
            "aws:userid": self.user_id,
            "aws:PrincipalArn": self.facts.arn,
            "aws:PrincipalAccount": self.facts.account,
            "aws:PrincipalType": "AssumedRole",
        }
        for key, value in self.facts.tags.items():
            context[f"aws:PrincipalTag/{key}"] = value
        for key, value in (resource_tags or {}).items():
            for prefix in ("aws:ResourceTag/", "ssm:resourceTag/", "ec2:ResourceTag/"):
                context[prefix + key] = value
        request = Request(action, self.caller(), resource, context)
        verdict = decide([p.document for p in self.facts.policies], request)
        boundary = self.facts.boundary
        # A permissions boundary caps what the policies grant.
        capped = boundary is not None and decide([boundary.document], request) is not Decision.ALLOW
        if verdict is Decision.ALLOW and capped:
            return Decision.IMPLICIT_DENY
        return verdict

    def allowed(self, action: str, resource: str, tags: Mapping[str, str] | None = None) -> bool:
        return self.decision(action, resource, tags) is Decision.ALLOW

    def arn(self, service: str, kind: str, name: str, region: str = "us-east-1") -> str:
        account = "" if kind == "document" and name.startswith("AWS-") else self.facts.account
        return f"arn:{self.partition}:{service}:{region}:{account}:{kind}/{name}"


def audit(facts: RoleFacts) -> list[Check]:
    parsed = naming.parse_role_arn(facts.arn)
    partition = "aws" if isinstance(parsed, str) else parsed.partition
    party = _Party(facts, partition)
    checks: list[Check] = []
    for step in _CHECKS:
        checks.extend(step(party))
    return checks


# -- the trust policy ---------------------------------------------------------------


def _trusted_principals(trust: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) of every principal an Allow statement names: AWS, Service, Federated."""
    found: list[tuple[str, str]] = []
    for statement in statements(trust):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*":
            found.append(("AWS", "*"))
        elif isinstance(principal, Mapping):
            for kind, values in principal.items():
                found.extend((str(kind), str(v)) for v in as_list(values))
        if "NotPrincipal" in statement:
            found.append(("NotPrincipal", "*"))
    return found


def _account_of(principal: str) -> str | None:
    if principal.isdigit():
        return principal
    parts = principal.split(":")
    return parts[4] if len(parts) >= 6 else None


def _caller_for(principal: str, partition: str) -> Caller | None:
    role = naming.parse_role_arn(principal)
    if not isinstance(role, str):
        arn = f"arn:{partition}:sts::{role.account}:assumed-role/{role.name}/partner-engineer"
        return Caller(arn=arn, account=role.account, role_arn=principal)
    account = principal.split(":")[4] if principal.count(":") >= 5 else principal
    if account.isdigit() and len(account) == 12:
        return Caller(arn=f"arn:{partition}:iam::{account}:user/anyone", account=account)
    return None


def _assume(party: _Party, caller: Caller, external_id: str | None) -> Decision:
    context = {"sts:ExternalId": external_id} if external_id is not None else {}
    request = Request("sts:AssumeRole", caller, None, context)
    return decide([party.facts.trust_policy], request)


def _check_trust(party: _Party) -> Iterable[Check]:
    trust = party.facts.trust_policy
    principals = _trusted_principals(trust)
    others = [f"{kind} {value}" for kind, value in principals if kind != "AWS"]
    aws = [value for kind, value in principals if kind == "AWS"]
    external_ids = trusted_external_ids(trust)
    role_account = party.facts.account

    wide = [v for v in aws if v == "*"]
    roles = [v for v in aws if not isinstance(naming.parse_role_arn(v), str)]
    roots = [v for v in aws if v != "*" and v not in roles]
    own = [v for v in aws if v != "*" and _account_of(v) == role_account]
    roots = [v for v in roots if v not in own]
    if not aws or others or wide or roots or own:
        problems = []
        if wide:
            problems.append("trusts everyone (*)")
        if roots:
            problems.append(
                "trusts whole accounts or users (" + ", ".join(roots) + "), not the partner's role"
            )
        if own:
            problems.append("trusts this (the host's) own account: " + ", ".join(own))
        if others:
            problems.append("also trusts " + ", ".join(others))
        if not aws:
            problems.append("names no AWS principal")
        yield Check(
            "only the partner's role is trusted",
            False,
            "; ".join(problems),
            "trust exactly arn:aws:iam::<partner account>:role/3P_IAM_Assume_Role "
            f"({FIX_TEMPLATE}, PartnerAccountId and PartnerRoleName)",
        )
    else:
        yield Check("only the partner's role is trusted", True, ", ".join(sorted(set(aws))))

    callers = [c for c in (_caller_for(v, party.partition) for v in aws if v != "*") if c]
    if wide:
        callers.append(
            Caller(
                arn=f"arn:{party.partition}:iam::{_STRANGER_ACCOUNT}:user/x",
                account=_STRANGER_ACCOUNT,
            )
        )
    open_without = [
        c.role_arn or c.account for c in callers if _assume(party, c, None) is Decision.ALLOW
    ]
    wrong_id = [
        c.role_arn or c.account
        for c in callers
        if _assume(party, c, "not-the-external-id") is Decision.ALLOW
    ]
    if open_without or wrong_id or not external_ids:
        who = ", ".join(sorted(set(open_without + wrong_id))) or "the trusted principals"
        yield Check(
            "External ID required",
            False,
            f"{who} may assume the role without the External ID",
            'add "Condition": {"StringEquals": {"sts:ExternalId": "<id>"}} to the trust statement '
            "(`ssmclient host issue` makes one)",
        )
    else:
        count = len(external_ids)
        detail = "sts:ExternalId must match" + (
            f" (it accepts {count} External IDs: finish the rotation by removing the old one)"
            if count > 1
            else ""
        )
        yield Check("External ID required", True, detail)


# -- the permissions ---------------------------------------------------------------


def _check_understood(party: _Party) -> Iterable[Check]:
    documents = [("trust policy", party.facts.trust_policy)]
    documents += [(p.name, p.document) for p in party.facts.policies]
    if party.facts.boundary is not None:
        documents.append((party.facts.boundary.name, party.facts.boundary.document))
    unknown = [f"{name}: {item}" for name, document in documents for item in unsupported(document)]
    if unknown:
        yield Check(
            "every statement could be judged",
            False,
            "not understood, so treated as granting nothing and denying everything: "
            + "; ".join(unknown),
            "check these statements by hand (or with IAM's policy simulator)",
        )
    else:
        yield Check("every statement could be judged", True, f"{len(documents)} policies")


def _check_tags(party: _Party) -> Iterable[Check]:
    tag = party.tag_value
    if tag is None:
        yield Check(
            f"the role is tagged {TEMPLATE_TAG_KEY}",
            False,
            "the role has no such tag, so the ABAC condition matches no instance",
            f"aws iam tag-role --role-name {party.facts.name} "
            f"--tags Key={TEMPLATE_TAG_KEY},Value=<the party's tag value>",
        )
    else:
        yield Check(f"the role is tagged {TEMPLATE_TAG_KEY}", True, tag)
    run_as = party.facts.tags.get(RUN_AS_TAG)
    if not run_as:
        yield Check(
            f"the role is tagged {RUN_AS_TAG}",
            False,
            "no Run As user: sessions run as ssm-user, which has sudo",
            f"aws iam tag-role --role-name {party.facts.name} "
            f"--tags Key={RUN_AS_TAG},Value=no_sudo_user "
            "(and enable Run As in SSM-SessionManagerRunShell)",
        )
    elif run_as in ("root", "ssm-user", "ec2-user", "ubuntu", "admin", "Administrator"):
        yield Check(
            f"the role is tagged {RUN_AS_TAG}",
            False,
            f"sessions run as {run_as}, a privileged user",
            f"tag the role {RUN_AS_TAG}=<an unprivileged user> (no sudo)",
        )
    else:
        yield Check(f"the role is tagged {RUN_AS_TAG}", True, f"sessions run as {run_as}")


def _check_start_session(party: _Party) -> Iterable[Check]:
    tag = party.tag_value or "the-partys-tag"
    instance = party.arn("ec2", "instance", "i-0123456789abcdef0")
    own = party.allowed("ssm:StartSession", instance, {TEMPLATE_TAG_KEY: tag})
    other = party.allowed("ssm:StartSession", instance, {TEMPLATE_TAG_KEY: f"not-{tag}"})
    untagged = party.allowed("ssm:StartSession", instance, {})
    name = "StartSession only on the party's instances"
    if other or untagged:
        which = [w for w, yes in (("another party's", other), ("untagged", untagged)) if yes]
        yield Check(
            name,
            False,
            f"sessions are allowed on {' and '.join(which)} instances",
            'allow ssm:StartSession on instance/* only with "StringEquals": '
            '{"ssm:resourceTag/ExternalAccessGrantedTo": '
            '"${aws:PrincipalTag/ExternalAccessGrantedTo}"}' + f" ({FIX_TEMPLATE})",
        )
    elif not own:
        yield Check(
            name,
            False,
            f"not even on instances tagged {TEMPLATE_TAG_KEY}={tag}: the party can reach nothing",
            f"allow ssm:StartSession on the party's instances ({FIX_TEMPLATE})",
        )
    else:
        yield Check(name, True, f"instances tagged {TEMPLATE_TAG_KEY}={tag}, no others")

    allowed = [
        d
        for d in _ALLOWED_DOCUMENTS
        if party.allowed("ssm:StartSession", party.arn("ssm", "document", d))
    ]
    extra = [
        d
        for d in (*_OTHER_DOCUMENTS, "Some-Host-Document")
        if party.allowed("ssm:StartSession", party.arn("ssm", "document", d))
    ]
    if extra:
        shown = ["any document" if d == "Some-Host-Document" else d for d in extra]
        yield Check(
            "StartSession only with the allowed documents",
            False,
            "also allowed: " + ", ".join(shown),
            "list the session documents by ARN (document/SSM-SessionManagerRunShell, "
            f"document/AWS-StartPortForwardingSession, ...) ({FIX_TEMPLATE})",
        )
    else:
        yield Check(
            "StartSession only with the allowed documents",
            True,
            ", ".join(allowed) if allowed else "only the default shell document",
        )


def _check_own_sessions(party: _Party) -> Iterable[Check]:
    mine = party.arn("ssm", "session", "partner-engineer-0123456789abcdef0")
    theirs = party.arn("ssm", "session", "someone-else-0123456789abcdef0")
    own_tags = {SESSION_OWNER_TAG: party.user_id}
    other_tags = {SESSION_OWNER_TAG: "AROAOTHERROLEID0000000:someone-else"}
    problems: list[str] = []
    missing: list[str] = []
    for action in ("ssm:TerminateSession", "ssm:ResumeSession"):
        if party.allowed(action, theirs, other_tags):
            problems.append(f"{action} on other people's sessions")
        if not party.allowed(action, mine, own_tags):
            missing.append(action)
    name = "Terminate/ResumeSession only on own sessions"
    if problems:
        yield Check(
            name,
            False,
            "allowed: " + ", ".join(problems),
            'allow them on session/* only with "StringLike": '
            '{"ssm:resourceTag/aws:ssmmessages:session-id": "${aws:userid}"}'
            + f" ({FIX_TEMPLATE})",
        )
    elif missing:
        yield Check(
            name,
            False,
            f"{' and '.join(missing)} not allowed even on own sessions: ending or resuming a "
            "session fails, so sessions stay open until they time out",
            f"allow them on own sessions ({FIX_TEMPLATE})",
        )
    else:
        yield Check(name, True, "on sessions tagged with the caller's aws:userid only")


def _check_no_onward_roles(party: _Party) -> Iterable[Check]:
    target = f"arn:{party.partition}:iam::{_STRANGER_ACCOUNT}:role/anything"
    verdict = party.decision("sts:AssumeRole", target)
    name = "no sts:AssumeRole onward"
    if verdict is Decision.ALLOW:
        yield Check(
            name,
            False,
            "the role may assume other roles",
            'add {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"} '
            f"({FIX_TEMPLATE})",
        )
    else:
        how = "explicitly denied" if verdict is Decision.EXPLICIT_DENY else "not allowed"
        yield Check(name, True, how)


def _check_nothing_else(party: _Party) -> Iterable[Check]:
    tags = {TEMPLATE_TAG_KEY: party.tag_value or ""}
    granted = []
    for action, kind in _BEYOND_SESSIONS:
        resource = (
            party.arn("ec2", "instance", "i-0123456789abcdef0") if kind == "instance" else "*"
        )
        if party.allowed(action, resource, tags):
            granted.append(action)
    name = "nothing beyond Session Manager and the listing"
    if granted:
        yield Check(
            name,
            False,
            "also allowed: " + ", ".join(granted),
            f"remove them from the role's policies ({FIX_TEMPLATE})",
        )
    else:
        yield Check(name, True, f"{len(_BEYOND_SESSIONS)} other actions are all refused")


def _check_listing(party: _Party) -> Iterable[Check]:
    missing = [
        action
        for action in ("ec2:DescribeInstances", "ssm:DescribeInstanceInformation")
        if not party.allowed(action, "*")
    ]
    if missing:
        yield Check(
            "the party can list its instances",
            False,
            f"{' and '.join(missing)} not allowed: the party's client shows no instances "
            "or no agent status",
            f'allow them on "*" (they have no resource type) ({FIX_TEMPLATE})',
        )
    else:
        yield Check(
            "the party can list its instances",
            True,
            "ec2:DescribeInstances, ssm:DescribeInstanceInformation",
        )


_CHECKS: tuple[Callable[[_Party], Iterable[Check]], ...] = (
    _check_understood,
    _check_trust,
    _check_tags,
    _check_start_session,
    _check_own_sessions,
    _check_no_onward_roles,
    _check_nothing_else,
    _check_listing,
)
