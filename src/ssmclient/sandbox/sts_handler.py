"""sts:AssumeRole with trust evaluation, and sts:GetCallerIdentity from the layer's records.

moto grants every AssumeRole and never reads a cross-account trust policy; here
each call is checked first (see `trust_policy`), then handed to moto so moto's
STS still issues and records the credentials, and the layer records their
identity, token, MFA state, SourceIdentity and (possibly shortened) expiry.
"""

import re
import time
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from ssmclient.sandbox import moto_store, trust_policy
from ssmclient.sandbox.identities import Identity
from ssmclient.sandbox.scenario import MFA_CODE
from ssmclient.sandbox.state import Forward, SandboxState
from ssmclient.sandbox.wire import AwsRequest, Reply, error_reply, request_id, xml_reply

_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
_SOURCE_IDENTITY = re.compile(r"[\w+=,.@-]{2,64}")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")
_TOKEN_CODE = re.compile(r"\d{6}")
_CHAIN_LIMIT = 3600
_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def _validation(field: str, value: str, constraint: str) -> Reply:
    message = (
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: {constraint}"
    )
    return error_reply("query", 400, "ValidationError", message)


def _denied(caller: Identity, role_arn: str) -> Reply:
    message = (
        f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    )
    return error_reply("query", 403, "AccessDenied", message)


def _check_mfa(caller: Identity, serial: str | None, code: str | None) -> Reply | bool:
    """True when this call proves MFA, False when none was offered, or an error reply."""
    if serial is None and code is None:
        return False
    if code is not None and not _TOKEN_CODE.fullmatch(code):
        return _validation(
            "tokenCode", code, "Member must satisfy regular expression pattern: [\\d]*"
        )
    # The sandbox's virtual devices are named after their user: .../mfa/<user name>.
    owner = (serial or "").replace(":mfa/", ":user/", 1)
    if caller.kind != "user" or owner != caller.arn or code != MFA_CODE:
        return error_reply(
            "query",
            403,
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
        )
    return True


def assume_role(
    state: SandboxState, request: AwsRequest, caller: Identity, forward: Forward
) -> Reply:
    params = request.params
    role_arn = params.get("RoleArn", "")
    session_name = params.get("RoleSessionName", "")
    external_id = params.get("ExternalId")
    source_identity = params.get("SourceIdentity")
    if not _SESSION_NAME.fullmatch(session_name):
        return _validation(
            "roleSessionName",
            session_name,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        )
    if external_id is not None and not _EXTERNAL_ID.fullmatch(external_id):
        return _validation(
            "externalId",
            external_id,
            "Member must satisfy regular expression pattern: [\\w+=,.@:/-]*",
        )
    if source_identity is not None and not _SOURCE_IDENTITY.fullmatch(source_identity):
        return _validation(
            "sourceIdentity",
            source_identity,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        )
    try:
        duration = int(params.get("DurationSeconds", "3600"))
    except ValueError:
        return _validation("durationSeconds", params["DurationSeconds"], "Member must be a number")
    if duration < 900 or duration > 43200:
        return _validation(
            "durationSeconds",
            str(duration),
            "Member must have value less than or equal to 43200"
            if duration > 43200
            else "Member must have value greater than or equal to 900",
        )
    mfa = _check_mfa(caller, params.get("SerialNumber"), params.get("TokenCode"))
    if isinstance(mfa, Reply):
        return mfa
    mfa_present = mfa or caller.mfa_present

    # SourceIdentity, once set, travels down the chain and cannot be changed.
    if caller.source_identity is not None:
        if source_identity is not None and source_identity != caller.source_identity:
            return _denied(caller, role_arn)
        source_identity = caller.source_identity

    role = moto_store.find_role(role_arn)
    if role is None or not trust_policy.may_assume(
        role.trust_policy,
        caller,
        external_id=external_id,
        mfa_present=mfa_present,
        source_identity=source_identity,
    ):
        return _denied(caller, role_arn)
    if caller.is_role_session and duration > _CHAIN_LIMIT:
        return error_reply(
            "query",
            400,
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles "
            "assumed by role chaining.",
        )
    if duration > role.max_session_duration:
        return error_reply(
            "query",
            400,
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )

    reply = forward(request, role.account)
    if reply.status != 200:
        return reply
    return _record_session(state, reply, role, session_name, duration, mfa_present, source_identity)


def _xml_value(document: str, tag: str) -> str:
    match = re.search(rf"<{tag}>([^<]*)</{tag}>", document)
    if match is None:
        raise ValueError(f"moto's AssumeRole answer has no <{tag}>")
    return match.group(1)


def _record_session(
    state: SandboxState,
    reply: Reply,
    role: moto_store.RoleFacts,
    session_name: str,
    duration: int,
    mfa_present: bool,
    source_identity: str | None,
) -> Reply:
    document = reply.body.decode()
    lifetime = state.credentials.effective_lifetime(duration)
    expires_at = time.time() + lifetime
    expiration = datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    access_key = _xml_value(document, "AccessKeyId")
    identity = Identity(
        kind="assumed-role",
        arn=f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{session_name}",
        account=role.account,
        access_key_id=access_key,
        user_id=f"{role.role_id}:{session_name}",
        role_arn=role.arn,
        session_name=session_name,
        session_token=_xml_value(document, "SessionToken"),
        secret_access_key=_xml_value(document, "SecretAccessKey"),
        expires_at=expires_at,
        mfa_present=mfa_present,
        source_identity=source_identity,
    )
    state.credentials.add_session(identity)
    # moto computes its own expiry; AWS's answer states the one the sandbox enforces.
    document = re.sub(
        r"<Expiration>[^<]*</Expiration>", f"<Expiration>{expiration}</Expiration>", document
    )
    if source_identity is not None and "<SourceIdentity>" not in document:
        document = document.replace(
            "</AssumeRoleResult>",
            f"<SourceIdentity>{escape(source_identity)}</SourceIdentity></AssumeRoleResult>",
        )
    return Reply(
        200, document.encode(), [h for h in reply.headers if h[0].lower() != "content-length"]
    )


def get_session_token(
    state: SandboxState, request: AwsRequest, caller: Identity, forward: Forward
) -> Reply:
    """Temporary credentials of an IAM user, carrying MFA when a right code is given."""
    if caller.kind != "user":
        return error_reply(
            "query", 403, "AccessDenied", "Cannot call GetSessionToken with session credentials"
        )
    params = request.params
    try:
        duration = int(params.get("DurationSeconds", "43200"))
    except ValueError:
        return _validation("durationSeconds", params["DurationSeconds"], "Member must be a number")
    if not 900 <= duration <= 129600:
        return _validation(
            "durationSeconds", str(duration), "Member must have value between 900 and 129600"
        )
    mfa = _check_mfa(caller, params.get("SerialNumber"), params.get("TokenCode"))
    if isinstance(mfa, Reply):
        return mfa
    reply = forward(request, caller.account)
    if reply.status != 200:
        return reply
    document = reply.body.decode()
    lifetime = state.credentials.effective_lifetime(duration)
    expires_at = time.time() + lifetime
    state.credentials.add_session(
        Identity(
            kind="user-session",
            arn=caller.arn,
            account=caller.account,
            access_key_id=_xml_value(document, "AccessKeyId"),
            user_id=caller.user_id,
            session_token=_xml_value(document, "SessionToken"),
            secret_access_key=_xml_value(document, "SecretAccessKey"),
            expires_at=expires_at,
            mfa_present=mfa,
        )
    )
    expiration = datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = re.sub(
        r"<Expiration>[^<]*</Expiration>", f"<Expiration>{expiration}</Expiration>", document
    )
    headers = [h for h in reply.headers if h[0].lower() != "content-length"]
    return Reply(200, document.encode(), headers)


def get_caller_identity(caller: Identity) -> Reply:
    body = (
        f'<GetCallerIdentityResponse xmlns="{_NS}">\n  <GetCallerIdentityResult>\n'
        f"    <Arn>{escape(caller.arn)}</Arn>\n    <UserId>{escape(caller.user_id)}</UserId>\n"
        f"    <Account>{caller.account}</Account>\n  </GetCallerIdentityResult>\n"
        f"  <ResponseMetadata>\n    <RequestId>{request_id()}</RequestId>\n"
        "  </ResponseMetadata>\n</GetCallerIdentityResponse>\n"
    )
    return xml_reply(body)
