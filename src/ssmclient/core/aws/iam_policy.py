"""IAM policy evaluation for the statements a Session Manager host setup uses.

Two users: `ssmclient host audit`, which asks of a role's real policies "would
this request be allowed?" for requests that must and must not be, and the
sandbox, which has to decide as IAM does. Neither AWS nor botocore offers an
offline evaluator (IAM's SimulatePrincipalPolicy is an API call, and sees only
one account), so the subset is written here.

Understood: Effect; Action/NotAction (case-insensitive `*`/`?` globs);
Resource/NotResource (case-sensitive globs, policy variables); Principal
{"AWS": ...} or "*" in trust policies; condition operators String(Not)Equals,
String(Not)EqualsIgnoreCase, String(Not)Like, Bool, Arn(Not)Equals, Arn(Not)Like
and Null, each with or without IfExists; policy variables `${key}` (any
condition key of the request, e.g. `${aws:userid}`, `${aws:PrincipalTag/K}`)
and `${*}`, `${?}`, `${$}`. Anything else fails closed: an Allow statement that
uses it grants nothing, a Deny statement that uses it denies. `unsupported()`
names such elements, so the audit can say what it could not judge.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

_ACCOUNT_ROOT = re.compile(r"arn:aws[\w-]*:iam::(\d{12}):root")
_ACCOUNT_ID = re.compile(r"\d{12}")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL_VARIABLES = {"*": "*", "?": "?", "$": "$"}
_STRING_OPERATORS = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "ArnEquals",
        "ArnNotEquals",
        "ArnLike",
        "ArnNotLike",
        "Bool",
    }
)
_NEGATED = frozenset(
    {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "ArnNotEquals",
        "ArnNotLike",
    }
)
_KNOWN_ELEMENTS = frozenset(
    {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition"}
)


class Decision(StrEnum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit-deny"
    IMPLICIT_DENY = "implicit-deny"


@dataclass(frozen=True)
class Caller:
    """Who makes the request, as principal matching sees it."""

    arn: str  # an IAM user's ARN, or an assumed-role session's ARN
    account: str
    role_arn: str | None = None  # the role of an assumed-role session


@dataclass(frozen=True)
class Request:
    """One action on one resource; `resource` None for a trust policy (no Resource element)."""

    action: str
    caller: Caller
    resource: str | None = None
    # Condition keys, matched case-insensitively (as IAM does); None or absent: not present.
    context: Mapping[str, str | None] = field(default_factory=dict)

    def value(self, key: str) -> str | None:
        wanted = key.lower()
        for name, value in self.context.items():
            if name.lower() == wanted:
                return value
        return None


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in as_list(policy.get("Statement", [])) if isinstance(s, Mapping)]


def _glob(pattern: str, request: Request | None, *, ignore_case: bool) -> re.Pattern[str] | None:
    """A regex for an IAM wildcard pattern; variables resolve to literal text.

    None when a variable has no value: IAM then treats the pattern as not matching.
    """
    parts: list[str] = []
    position = 0
    for match in _VARIABLE.finditer(pattern):
        parts.append(_wildcards(pattern[position : match.start()]))
        value = _variable(match.group(1), request)
        if value is None:
            return None
        parts.append(re.escape(value))
        position = match.end()
    parts.append(_wildcards(pattern[position:]))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _variable(inside: str, request: Request | None) -> str | None:
    """The value of `${name}` or `${name, 'default'}`; None when the request has none."""
    name, _, default = inside.partition(",")
    name = name.strip()
    if name in _SPECIAL_VARIABLES:
        return _SPECIAL_VARIABLES[name]
    value = request.value(name) if request is not None else None
    if value is None and default.strip():
        value = default.strip().strip("'")
    return value


def _wildcards(text: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


def _any_glob(patterns: Any, text: str, request: Request, *, ignore_case: bool) -> bool:
    for pattern in as_list(patterns):
        compiled = _glob(str(pattern), request, ignore_case=ignore_case)
        if compiled is not None and compiled.fullmatch(text):
            return True
    return False


def principal_matches(principal: Any, caller: Caller) -> bool:
    """Whether `caller` is one of the principals a trust-policy statement names."""
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    for entry in as_list(principal.get("AWS", [])):
        value = str(entry)
        if value == "*":
            return True
        root = _ACCOUNT_ROOT.fullmatch(value)
        account = root.group(1) if root else value if _ACCOUNT_ID.fullmatch(value) else None
        if account is not None:
            # An account principal delegates to that account's own IAM policies.
            if caller.account == account:
                return True
        elif value in (caller.arn, caller.role_arn):
            return True
    return False


def _condition_holds(operator: str, clauses: Any, request: Request) -> bool | None:
    """True/False for an understood operator, None for one this module does not know."""
    if not isinstance(clauses, Mapping):
        return None
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if base == "Null" and not if_exists:
        for key, expected in clauses.items():
            absent = request.value(str(key)) is None
            # A condition value may be a list of one; several would be ambiguous.
            values = as_list(expected)
            if len(values) != 1:
                return None
            if absent != (str(values[0]).lower() == "true"):
                return False
        return True
    if base not in _STRING_OPERATORS:
        return None
    for key, expected in clauses.items():
        actual = request.value(str(key))
        if actual is None:
            if if_exists or base in _NEGATED:
                continue
            return False
        if _values_match(base, as_list(expected), actual, request) == (base in _NEGATED):
            return False
    return True


def _values_match(base: str, expected: list[Any], actual: str, request: Request) -> bool:
    """Whether `actual` equals/matches any of the expected values (before negation)."""
    plain = base.replace("Not", "")
    for item in expected:
        wanted = str(item).lower() if isinstance(item, bool) else str(item)
        if plain in ("StringLike", "ArnLike", "ArnEquals"):
            compiled = _glob(wanted, request, ignore_case=False)
            if compiled is not None and compiled.fullmatch(actual):
                return True
            continue
        # Equality operators take `*` and `?` literally; only variables are substituted.
        literal = _substitute(wanted, request)
        if literal is None:
            continue
        if plain in ("StringEqualsIgnoreCase", "Bool"):
            if literal.lower() == actual.lower():
                return True
        elif literal == actual:
            return True
    return False


def _substitute(text: str, request: Request) -> str | None:
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        value = _variable(match.group(1), request)
        if value is None:
            missing = True
            return ""
        return value

    result = _VARIABLE.sub(replace, text)
    return None if missing else result


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool | None:
    """Whether one statement covers the request; None when it uses what is not understood."""
    if any(key not in _KNOWN_ELEMENTS for key in statement):
        return None
    if "Action" in statement:
        if not _any_glob(statement["Action"], request.action, request, ignore_case=True):
            return False
    elif "NotAction" in statement:
        if _any_glob(statement["NotAction"], request.action, request, ignore_case=True):
            return False
    else:
        return None
    if "Principal" in statement and not principal_matches(statement["Principal"], request.caller):
        return False
    if request.resource is not None:
        if "Resource" in statement:
            if not _any_glob(statement["Resource"], request.resource, request, ignore_case=False):
                return False
        elif "NotResource" in statement:
            if _any_glob(statement["NotResource"], request.resource, request, ignore_case=False):
                return False
        else:
            return None
    conditions = statement.get("Condition", {})
    if not isinstance(conditions, Mapping):
        return None
    for operator, clauses in conditions.items():
        holds = _condition_holds(str(operator), clauses, request)
        if holds is not True:
            return holds
    return True


def decide(policies: Iterable[Mapping[str, Any]], request: Request) -> Decision:
    """IAM's rule: an explicit Deny in any policy wins, otherwise some Allow is needed."""
    allowed = False
    for policy in policies:
        for statement in statements(policy):
            applies = statement_applies(statement, request)
            effect = statement.get("Effect")
            if effect == "Deny" and applies is not False:
                return Decision.EXPLICIT_DENY
            if effect == "Allow" and applies is True:
                allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def unsupported(policy: Mapping[str, Any]) -> list[str]:
    """The elements and operators of `policy` that `decide` does not understand."""
    found: list[str] = []
    for number, statement in enumerate(statements(policy), 1):
        label = str(statement.get("Sid") or f"statement {number}")
        for key in statement:
            if key not in _KNOWN_ELEMENTS:
                found.append(f"{label}: {key}")
        conditions = statement.get("Condition", {})
        for operator in conditions if isinstance(conditions, Mapping) else ["Condition"]:
            base = str(operator).removesuffix("IfExists")
            # IAM has no NullIfExists.
            if base not in _STRING_OPERATORS and str(operator) != "Null":
                found.append(f"{label}: condition operator {operator}")
            elif not isinstance(conditions[operator], Mapping):
                found.append(f"{label}: condition {operator} is not an object")
        principal = statement.get("Principal")
        if isinstance(principal, Mapping) and set(principal) - {"AWS"}:
            found.append(f"{label}: principal {', '.join(sorted(set(principal) - {'AWS'}))}")
    return found
