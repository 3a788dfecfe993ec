"""Evaluating a role's trust policy against one sts:AssumeRole call, as IAM does.

Only what the cross-account flow uses is understood, and everything else fails
closed: an Allow statement with a principal form or condition operator this
module does not know grants nothing, while such a Deny statement denies.
Understood: Principal "*", {"AWS": account id | account root ARN | user ARN |
role ARN (matching that role's sessions) | assumed-role session ARN}; operators
StringEquals, StringNotEquals, StringLike, Bool (with or without IfExists);
condition keys compared case-insensitively, values case-sensitively; a missing
key makes StringEquals and Bool false (AWS's rule), and an ...IfExists operator
true.
"""

import fnmatch
import re
from collections.abc import Mapping
from typing import Any

from ssmclient.sandbox.identities import Identity

ASSUME_ROLE = "sts:AssumeRole"
SET_SOURCE_IDENTITY = "sts:SetSourceIdentity"
_ACCOUNT_ROOT = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):root$")

ConditionContext = Mapping[str, str | None]


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value]


def _action_matches(patterns: Any, action: str) -> bool:
    return any(
        fnmatch.fnmatchcase(action.lower(), str(pattern).lower()) for pattern in _as_list(patterns)
    )


def principal_matches(principal: Any, caller: Identity) -> bool:
    """Whether `caller` is one of the principals a statement names."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for entry in _as_list(principal.get("AWS", [])):
        value = str(entry)
        if value == "*":
            return True
        root = _ACCOUNT_ROOT.match(value)
        account = root.group(1) if root else value if re.fullmatch(r"\d{12}", value) else None
        if account is not None:
            # An account principal delegates to the account's own IAM policies; the
            # sandbox's identities all hold the permissions their scenario gives them.
            if caller.account == account:
                return True
        elif value == caller.arn or (caller.role_arn is not None and value == caller.role_arn):
            return True
    return False


def _condition_holds(operator: str, clauses: Any, context: ConditionContext) -> bool | None:
    """True/False for an understood operator, None for one this module does not know."""
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if base not in ("StringEquals", "StringNotEquals", "StringLike", "Bool") or not isinstance(
        clauses, dict
    ):
        return None
    lowered = {key.lower(): value for key, value in context.items()}
    for key, expected in clauses.items():
        actual = lowered.get(str(key).lower())
        if actual is None:
            if if_exists or base == "StringNotEquals":
                continue
            return False
        wanted = [str(item) for item in _as_list(expected)]
        if base == "StringEquals" and actual not in wanted:
            return False
        if base == "StringNotEquals" and actual in wanted:
            return False
        if base == "StringLike" and not any(fnmatch.fnmatchcase(actual, w) for w in wanted):
            return False
        if base == "Bool" and actual.lower() not in [w.lower() for w in wanted]:
            return False
    return True


def _statement_applies(
    statement: Mapping[str, Any], caller: Identity, action: str, context: ConditionContext
) -> bool | None:
    if "NotPrincipal" in statement or "NotAction" in statement:
        return None
    if not _action_matches(statement.get("Action", []), action):
        return False
    if not principal_matches(statement.get("Principal"), caller):
        return False
    conditions = statement.get("Condition", {})
    if not isinstance(conditions, dict):
        return None
    for operator, clauses in conditions.items():
        holds = _condition_holds(str(operator), clauses, context)
        if holds is not True:
            return holds
    return True


def is_allowed(
    policy: Mapping[str, Any], caller: Identity, action: str, context: ConditionContext
) -> bool:
    """IAM's rule for one action: an explicit Deny wins, otherwise an Allow is needed."""
    allowed = False
    for statement in _as_list(policy.get("Statement", [])):
        if not isinstance(statement, dict):
            continue
        applies = _statement_applies(statement, caller, action, context)
        effect = statement.get("Effect")
        if effect == "Deny" and applies is not False:
            return False
        if effect == "Allow" and applies is True:
            allowed = True
    return allowed


def may_assume(
    policy: Mapping[str, Any],
    caller: Identity,
    *,
    external_id: str | None,
    mfa_present: bool,
    source_identity: str | None,
) -> bool:
    """Whether the trust policy lets `caller` make this AssumeRole call."""
    context: dict[str, str | None] = {
        "sts:ExternalId": external_id,
        "aws:MultiFactorAuthPresent": "true" if mfa_present else None,
        "sts:SourceIdentity": source_identity,
        "aws:PrincipalAccount": caller.account,
        "aws:PrincipalArn": caller.role_arn or caller.arn,
    }
    if not is_allowed(policy, caller, ASSUME_ROLE, context):
        return False
    return source_identity is None or is_allowed(policy, caller, SET_SOURCE_IDENTITY, context)
